/**
 * The photos step's multipart body, read as it streams: each photo goes straight to a temporary file (busboy), the
 * body limit and the field limit are enforced as the bytes arrive, and the page gets the text fields as a small
 * form body plus the files in locals. No photo is ever held whole in memory or parsed on the event loop in one go.
 */
import type { IncomingMessage } from 'node:http';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { MAX_PHOTO_BYTES } from '../../domains/reports/index.ts';

/** The route whose multipart body is streamed to files. */
export const PHOTOS_PATH = '/report/photos';

/** One uploaded file, on disk until the request is answered; bytes is over MAX_PHOTO_BYTES when the file was cut short. */
export interface UploadedFile {
  name: string;
  path: string;
  bytes: number;
}

/**
 * What the server module passes the photos page in locals: the files (or that the body could not be read), and how
 * to remove them, which the page does once it has used them and the server module does again after the answer.
 */
export interface PhotoUpload {
  files: UploadedFile[];
  unreadable: boolean;
  discard: () => Promise<void>;
}

/** Temporary folders are named after the process that made them, so that one left by a process that died can be swept. */
const TEMP_PREFIX = 'saferline-upload-';
let swept: Promise<void> | null = null;

/** True when a process with this id is running (or exists but is not ours to signal). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove the temporary upload folders of processes no longer running (a crash mid-upload leaves unclean photos behind). */
async function sweepDeadUploads(): Promise<void> {
  for (const name of await readdir(tmpdir()).catch(() => [])) {
    const pid = Number(new RegExp(`^${TEMP_PREFIX}(\\d+)-`).exec(name)?.[1] ?? 0);
    if (pid && pid !== process.pid && !isRunning(pid)) await rm(join(tmpdir(), name), { recursive: true, force: true });
  }
}

/** True for a multipart/form-data content type. */
export function isMultipart(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === 'multipart/form-data';
}

/**
 * Read a multipart body as it streams: file parts named `photos` to temporary files (each cut at MAX_PHOTO_BYTES + 1),
 * text fields into a URL-encoded body that replaces the request's (req.body, for the adapter). 'too-large' as soon as
 * the body passes `limit`, 'too-many-fields' past `maxFields` parts, 'aborted' when the client went away.
 */
export async function receivePhotoUpload(req: IncomingMessage, limit: number, maxFields: number): Promise<PhotoUpload | 'too-large' | 'too-many-fields' | 'aborted'> {
  await (swept ??= sweepDeadUploads());
  const dir = await mkdtemp(join(tmpdir(), `${TEMP_PREFIX}${process.pid}-`));
  const discard = () => rm(dir, { recursive: true, force: true });
  const fields = new URLSearchParams();
  const files: UploadedFile[] = [];
  const writes: Promise<void>[] = [];
  const read: { outcome: 'too-large' | 'too-many-fields' | 'aborted' | 'unreadable' | null } = { outcome: null };
  let parser: busboy.Busboy | undefined;
  try {
    parser = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { fileSize: MAX_PHOTO_BYTES + 1, parts: maxFields + 1, fieldSize: limit } });
  } catch {
    // A multipart type without a boundary: nothing to read.
    read.outcome = 'unreadable';
  }
  if (parser) {
    const busy = parser;
    await new Promise<void>((resolve) => {
      let size = 0;
      /** Stop reading: the rest of the body is left unread and any file being written is cut off. */
      const stop = (why: NonNullable<typeof read.outcome>) => {
        read.outcome ??= why;
        req.unpipe(busy);
        busy.destroy();
        resolve();
      };
      busy.on('field', (name, value) => fields.append(name, value));
      busy.on('file', (name, stream, info) => {
        if (name !== 'photos' || read.outcome) return void stream.resume();
        const file: UploadedFile = { name: info.filename ?? '', path: join(dir, String(files.length)), bytes: 0 };
        files.push(file);
        stream.on('data', (chunk: Buffer) => (file.bytes += chunk.length));
        stream.on('limit', () => (file.bytes = MAX_PHOTO_BYTES + 1));
        writes.push(pipeline(stream, createWriteStream(file.path, { mode: 0o600 })));
      });
      busy.on('partsLimit', () => stop('too-many-fields'));
      busy.on('error', () => stop('unreadable'));
      busy.on('close', () => resolve());
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) stop('too-large');
      });
      req.on('close', () => {
        if (!req.complete) stop('aborted');
      });
      req.pipe(busy);
    });
    await Promise.allSettled(writes);
  }
  const { outcome } = read;
  if (outcome === 'too-large' || outcome === 'too-many-fields' || outcome === 'aborted') {
    await discard();
    return outcome;
  }
  replaceBody(req, Buffer.from(fields.toString()));
  const unreadable = outcome === 'unreadable';
  return { files: unreadable ? [] : files.filter((f) => f.bytes > 0), unreadable, discard };
}

/** Hand the adapter the text fields as a URL-encoded body in place of the multipart one. */
function replaceBody(req: IncomingMessage, body: Buffer): void {
  req.headers['content-type'] = 'application/x-www-form-urlencoded';
  req.headers['content-length'] = String(body.length);
  delete req.headers['transfer-encoding'];
  (req as IncomingMessage & { body?: Buffer }).body = body;
}
