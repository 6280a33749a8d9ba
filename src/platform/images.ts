/**
 * sharp (libvips), loaded on first use: the library costs about 27 MB of resident memory, which a process that
 * never handles an image (most of them, most of the time) need not carry. One libvips thread per image and no
 * operation cache: a large image costs its own memory once, not per core.
 */
import type sharpFunction from 'sharp';

/** The sharp function. */
export type Sharp = typeof sharpFunction;

let loading: Promise<Sharp> | undefined;

/** sharp, imported and configured once (one thread per image, no cache); a failed import is tried again next time. */
export function loadSharp(): Promise<Sharp> {
  loading ??= import('sharp').then(
    ({ default: sharp }) => {
      sharp.concurrency(1);
      sharp.cache(false);
      return sharp;
    },
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}
