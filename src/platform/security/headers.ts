/**
 * The security headers every response carries: pages, static files, refusals and the shutdown 503. The
 * server module (src/server/entry.ts) sets them on every response before anything writes it; the
 * middleware adds them to Astro's responses too (for `astro dev`). Styles come only from our own linked
 * stylesheets (build.inlineStylesheets 'never'), so neither scripts nor styles need 'unsafe-inline'.
 */

/**
 * The Content-Security-Policy; `imgSrc` adds image origins (the map tiles, on the one page that shows the
 * map). Scripts stay 'self' everywhere: the map island is a same-origin module, never an inline script.
 */
export function contentSecurityPolicy(imgSrc: readonly string[] = []): string {
  return `default-src 'self'; img-src ${["'self'", 'data:', ...imgSrc].join(' ')}; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'`;
}

/** Header name to value, applied unless a response already set its own. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=()',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Content-Security-Policy': contentSecurityPolicy(),
};

/** HSTS, sent only on https (behind a TLS proxy the forwarded protocol decides). */
export const HSTS = 'max-age=63072000; includeSubDomains';

/** Add the security headers to a Fetch Headers object, keeping any already set. */
export function applySecurityHeaders(headers: Headers, https: boolean): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!headers.has(k)) headers.set(k, v);
  if (https) headers.set('Strict-Transport-Security', HSTS);
}

/** Paths whose pages hold a resident's or a staff member's own details: never stored by the browser or a proxy. */
const PRIVATE_PATHS = /^\/(report|track|feedback|staff|exit)(\/|$)/;

/** A consultation's responding pages (answers so far, resume and confirmation links) and a meeting's registration and cancel pages. */
const PRIVATE_CONSULTATION_PATHS = /^\/(consultations\/[^/]+\/(respond|save|finish|resume|confirm|done)|meetings\/[^/]+(\/cancel)?)\/?$/;

/** True when a response for this path must carry Cache-Control: no-store (back after Exit shows nothing). */
export function isPrivatePath(pathname: string): boolean {
  return PRIVATE_PATHS.test(pathname) || PRIVATE_CONSULTATION_PATHS.test(pathname);
}
