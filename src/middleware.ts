/**
 * Cross-cutting request handling only: request logs, security headers, and loading the staff session into
 * locals. Authorisation is never decided here; each page and endpoint checks it. In `astro dev` the first
 * request boots the runtime; the built server boots it before listening (src/server/entry.ts).
 */
import { defineMiddleware } from 'astro:middleware';
import { log } from './platform/log.ts';
import { applySecurityHeaders } from './platform/security/headers.ts';
import { ensureRuntime } from './server/runtime.ts';
import { loadSession } from './web/session-cookie.ts';

export const onRequest = defineMiddleware(async (context, next) => {
  const started = performance.now();
  await ensureRuntime();
  let status = 500;
  try {
    await loadSession(context);
    const response = await next();
    status = response.status;
    applySecurityHeaders(response.headers, context.url.protocol === 'https:');
    if (context.locals.user || context.url.pathname.startsWith('/staff')) response.headers.set('Cache-Control', 'no-store');
    return response;
  } catch (error) {
    log.error('request.failed', { method: context.request.method, path: context.url.pathname, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    throw error;
  } finally {
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
