/**
 * Redirect targets built from what a visitor sent (a `next` or `back` parameter): only paths on this site,
 * always plain ASCII, so a hostile value gives a safe redirect rather than an open redirect or a 500 (a
 * Location header cannot carry control characters, and Node refuses raw non-Latin characters).
 */

const BASE = 'http://saferline.invalid';

/** Characters that can never be part of a target: controls, whitespace, backslashes. */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const UNSAFE = /[\u0000-\u0020\u007F\\]/;

/**
 * The target as a same-site path (percent-encoded ASCII) if it is one and starts with `prefix`, else
 * `fallback`. `//host`, `/\host`, absolute URLs, control characters and backslashes give the fallback.
 */
export function safeLocalPath(target: string | null | undefined, prefix: string, fallback: string): string {
  if (!target || !target.startsWith('/') || target.startsWith('//') || UNSAFE.test(target)) return fallback;
  let url: URL;
  try {
    url = new URL(target, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  const path = url.pathname + url.search;
  if (path !== prefix && !path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`) && !path.startsWith(`${prefix}?`)) return fallback;
  return path;
}

/** A query string from a form or link ('' or '?…'), re-encoded; anything else gives ''. */
export function safeQueryString(query: string | null | undefined): string {
  if (!query || !query.startsWith('?')) return '';
  const params = new URLSearchParams(query);
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  for (const [k, v] of params) if (/[\u0000-\u001F\u007F]/.test(k + v)) return '';
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * A Location header value the server can send: unchanged when it is already printable ASCII; a same-site
 * path with other characters is percent-encoded; anything else becomes '/'.
 */
export function safeLocation(location: string): string {
  if (/^[\u0021-\u007E]*$/.test(location) && !location.includes('\\')) return location;
  if (/^https?:\/\//i.test(location)) {
    try {
      const url = new URL(location);
      return /^[\u0021-\u007E]*$/.test(url.href) ? url.href : '/';
    } catch {
      return '/';
    }
  }
  return safeLocalPath(location, '/', '/');
}
