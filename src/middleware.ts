/**
 * Cross-cutting request handling only: request logs, security headers, shutdown draining, and loading
 * the staff session into locals. Authorisation is never decided here; each page and endpoint checks it.
 */
import { defineMiddleware } from 'astro:middleware';
import { log } from './lib/server/log.ts';
import { requestFinished, requestStarted } from './lib/server/runtime.ts';
import { loadSession } from './lib/session-cookie.ts';

const securityHeaders: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=()',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'",
};

export const onRequest = defineMiddleware(async (context, next) => {
  const started = performance.now();
  if (!requestStarted()) {
    return new Response('Service is restarting, try again in a moment.', { status: 503, headers: { 'Retry-After': '5', Connection: 'close' } });
  }
  let status = 500;
  try {
    await loadSession(context);
    const response = await next();
    status = response.status;
    for (const [k, v] of Object.entries(securityHeaders)) if (!response.headers.has(k)) response.headers.set(k, v);
    if (context.url.protocol === 'https:') response.headers.set('Strict-Transport-Security', 'max-age=63072000; includeSubDomains');
    if (context.locals.user || context.url.pathname.startsWith('/staff')) response.headers.set('Cache-Control', 'no-store');
    return response;
  } finally {
    requestFinished();
    if (!context.url.pathname.startsWith('/_astro/')) {
      log.info('request', {
        method: context.request.method,
        path: context.url.pathname,
        status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        user: context.locals.user?.id,
      });
    }
  }
});
