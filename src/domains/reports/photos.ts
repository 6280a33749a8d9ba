/**
 * Photos from residents: the type is checked from the content (not the name), the image is re-encoded,
 * every piece of metadata (EXIF GPS included) is removed, and the file is stored outside public/.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp, { type OutputInfo } from 'sharp';
import { newSecret } from '../../platform/security/ids.ts';

/** Largest upload accepted per photo. */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
/** How many photos one report may carry. */
export const MAX_PHOTOS = 3;
const ALLOWED = new Set(['jpeg', 'png', 'webp']);

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

/** Check, clean and store one uploaded photo under uploadDir; returns what was stored. */
export async function storePhoto(uploadDir: string, data: Uint8Array, originalName: string): Promise<StoredPhoto> {
  if (data.byteLength > MAX_PHOTO_BYTES) throw new PhotoError(`${originalName} must be smaller than 10MB`);
  if (data.byteLength === 0) throw new PhotoError(`${originalName} is empty`);
  let format: string | undefined;
  try {
    format = (await sharp(data, { failOn: 'error' }).metadata()).format;
  } catch {
    format = undefined;
  }
  if (!format || !ALLOWED.has(format)) throw new PhotoError(`${originalName} must be a JPEG, PNG or WebP image`);
  let output: { data: Buffer; info: OutputInfo };
  try {
    // rotate() applies the EXIF orientation to the pixels; sharp writes no metadata unless asked (withMetadata).
    const pipeline = sharp(data, { failOn: 'error', limitInputPixels: 50_000_000 }).rotate().resize({ width: 2560, height: 2560, fit: 'inside', withoutEnlargement: true });
    output = format === 'png' ? await pipeline.png().toBuffer({ resolveWithObject: true }) : format === 'webp' ? await pipeline.webp({ quality: 82 }).toBuffer({ resolveWithObject: true }) : await pipeline.jpeg({ quality: 82, mozjpeg: true }).toBuffer({ resolveWithObject: true });
  } catch {
    throw new PhotoError(`${originalName} could not be read as an image`);
  }
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
