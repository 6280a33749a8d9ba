/**
 * Photos from residents: the type is checked from the content (not the name), the image is re-encoded,
 * every piece of metadata (EXIF GPS included) is removed, and the file is stored outside public/.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Metadata, OutputInfo } from 'sharp';
import { loadSharp } from '../../platform/images.ts';
import { newSecret } from '../../platform/security/ids.ts';
import { hitRateLimits, rateLimitAddress } from '../../platform/security/rate-limit.ts';

/** Largest upload accepted per photo. */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
/** How many photos one report may carry. */
export const MAX_PHOTOS = 3;
/** Largest image accepted, in pixels (a 48-megapixel phone photo fits). */
export const MAX_PHOTO_PIXELS = 50_000_000;
/** Photos processed at once, and photos allowed to wait their turn; more than that are refused as busy. */
export const PHOTO_JOBS = 1;
export const PHOTO_QUEUE = 8;
const ALLOWED = new Set(['jpeg', 'png', 'webp']);

/**
 * Load the image library now, when a resident reaches the photos step, so that their upload does not wait for it
 * (it loads once per process, on first use; a failure is left to the upload, which reports it).
 */
export function preparePhotoProcessing(): void {
  loadSharp().catch(() => undefined);
}

/** A stored, cleaned photo. */
export interface StoredPhoto {
  key: string;
  mime: string;
  bytes: number;
  width: number;
  height: number;
  sha256: string;
  name: string;
}

/** Why a photo was refused, in words for the resident. */
export class PhotoError extends Error {
  override name = 'PhotoError';
}

/** Refused because too many photos are being processed already; the resident can try again shortly. */
export class PhotoBusyError extends PhotoError {
  override name = 'PhotoBusyError';
}

const photoQueue = { running: 0, waiting: [] as (() => void)[], mostRunning: 0 };

/** How the image queue stands: running now, waiting, and the most ever running at once. */
export function photoQueueStats(): { running: number; waiting: number; mostRunning: number } {
  return { running: photoQueue.running, waiting: photoQueue.waiting.length, mostRunning: photoQueue.mostRunning };
}

/** Run image work in the small bounded queue: PHOTO_JOBS at a time, PHOTO_QUEUE waiting, the rest refused at once. */
async function inPhotoQueue<T>(work: () => Promise<T>): Promise<T> {
  if (photoQueue.running >= PHOTO_JOBS) {
    if (photoQueue.waiting.length >= PHOTO_QUEUE) throw new PhotoBusyError('We are receiving a lot of photos right now. Try again in 1 minute');
    await new Promise<void>((resolve) => photoQueue.waiting.push(resolve));
  }
  photoQueue.running++;
  photoQueue.mostRunning = Math.max(photoQueue.mostRunning, photoQueue.running);
  try {
    return await work();
  } finally {
    photoQueue.running--;
    photoQueue.waiting.shift()?.();
  }
}

/** How many photo bytes may be uploaded in a day: from one address, and by everyone together. */
export interface PhotoQuota {
  perAddressBytes: number;
  totalBytes: number;
}

/**
 * Count an upload's bytes against the address's and everyone's daily allowance; says how long to wait when
 * either is used up. Bytes refused for the address are not counted against everyone's allowance.
 */
export async function reservePhotoBytes(address: string | null, bytes: number, quota: PhotoQuota, now = Date.now()): Promise<{ ok: true } | { ok: false; retryAfterMs: number }> {
  const [byAddress] = await hitRateLimits([{ key: `photo-bytes:ip:${rateLimitAddress(address)}`, limit: quota.perAddressBytes, windowMs: 86_400_000, amount: bytes }], now);
  if (!byAddress!.allowed) return { ok: false, retryAfterMs: byAddress!.retryAfterMs };
  const [byEveryone] = await hitRateLimits([{ key: 'photo-bytes:all', limit: quota.totalBytes, windowMs: 86_400_000, amount: bytes }], now);
  if (!byEveryone!.allowed) return { ok: false, retryAfterMs: byEveryone!.retryAfterMs };
  return { ok: true };
}

/** An uploaded photo: its bytes, or a file on disk with its size (an upload streamed there as it arrived). */
export type PhotoInput = Uint8Array | { path: string; bytes: number };

/** Check, clean and store one uploaded photo under uploadDir (in the image queue); returns what was stored. */
export async function storePhoto(uploadDir: string, input: PhotoInput, originalName: string): Promise<StoredPhoto> {
  const bytes = input instanceof Uint8Array ? input.byteLength : input.bytes;
  if (bytes > MAX_PHOTO_BYTES) throw new PhotoError(`${originalName} must be smaller than 10MB`);
  if (bytes === 0) throw new PhotoError(`${originalName} is empty`);
  const output = await inPhotoQueue(() => cleanPhoto(input instanceof Uint8Array ? input : input.path, originalName));
  const format = output.info.format;
  const ext = format === 'jpeg' ? 'jpg' : format;
  const key = `${newSecret(16)}.${ext}`;
  await mkdir(uploadDir, { recursive: true });
  await writeFile(join(uploadDir, key), output.data);
  return {
    key,
    mime: `image/${format}`,
    bytes: output.data.byteLength,
    width: output.info.width,
    height: output.info.height,
    sha256: createHash('sha256').update(output.data).digest('hex'),
    name: originalName.slice(0, 120),
  };
}

/**
 * Check the type from the content and re-encode the image without metadata, refusing images over MAX_PHOTO_PIXELS.
 * The input is the bytes or a file's path: from a file, sharp reads the image in strips as it decodes.
 */
async function cleanPhoto(input: Uint8Array | string, originalName: string): Promise<{ data: Buffer; info: OutputInfo }> {
  const sharp = await loadSharp();
  let meta: Metadata | undefined;
  try {
    meta = await sharp(input, { failOn: 'error' }).metadata();
  } catch {
    meta = undefined;
  }
  const format = meta?.format;
  if (!meta || !format || !ALLOWED.has(format)) throw new PhotoError(`${originalName} must be a JPEG, PNG or WebP image`);
  if ((meta.width ?? 0) * (meta.height ?? 0) > MAX_PHOTO_PIXELS) throw new PhotoError(`${originalName} is too big: it must be smaller than 50 megapixels`);
  try {
    // rotate() applies the EXIF orientation to the pixels; sharp writes no metadata unless asked (withMetadata).
    // Only a rotated photo needs it: without it the image streams through in strips instead of whole in memory.
    const base = sharp(input, { failOn: 'error', limitInputPixels: MAX_PHOTO_PIXELS, sequentialRead: true });
    const pipeline = ((meta.orientation ?? 1) > 1 ? base.rotate() : base).resize({ width: 2560, height: 2560, fit: 'inside', withoutEnlargement: true });
    return format === 'png' ? await pipeline.png().toBuffer({ resolveWithObject: true }) : format === 'webp' ? await pipeline.webp({ quality: 82 }).toBuffer({ resolveWithObject: true }) : await pipeline.jpeg({ quality: 82, mozjpeg: true }).toBuffer({ resolveWithObject: true });
  } catch {
    throw new PhotoError(`${originalName} could not be read as an image`);
  }
}

/** Read a stored photo by key (keys are generated, never user input paths). */
export async function readPhoto(uploadDir: string, key: string): Promise<Buffer> {
  if (!/^[a-z0-9]+\.(jpg|png|webp)$/.test(key)) throw new PhotoError('bad key');
  return readFile(join(uploadDir, key));
}

/** Delete a stored photo (when a resident removes it before sending). */
export async function deletePhoto(uploadDir: string, key: string): Promise<void> {
  if (!/^[a-z0-9]+\.(jpg|png|webp)$/.test(key)) return;
  await rm(join(uploadDir, key), { force: true });
}
