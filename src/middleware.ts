/**
 * Cross-cutting request handling only: request logs, security headers, and loading the staff session into
 * locals. Authorisation is never decided here; each page and endpoint checks it. In `astro dev` the first
 * request boots the runtime; the built server boots it before listening (src/server/entry.ts).
 */
import { defineMiddleware } from 'astro:middleware';
import { describeError, log, routeOf } from './platform/log.ts';
import { applySecurityHeaders, isPrivatePath } from './platform/security/headers.ts';
import { ensureRuntime } from './server/runtime.ts';
import { loadSession } from './web/session-cookie.ts';
import { safeLocation } from './web/redirects.ts';
import { isCacheable, serveCached } from './web/publishing/page-cache.ts';
import { resolveRequestLanguage } from './web/language.ts';
import { translate } from './platform/i18n/index.ts';

export const onRequest = defineMiddleware(async (context, next) => {
  const started = performance.now();
  await ensureRuntime();
  let status = 500;
  try {
    await loadSession(context);
    context.locals.lang = resolveRequestLanguage(context);
    // A request choosing its language sets a cookie: never answered from (or kept in) the page cache.
    const cacheable = isCacheable(context.request.method, context.url.pathname, !!context.locals.user) && !context.url.searchParams.has('lang');
    const response = cacheable ? await serveCached(context.request, context.url, () => next(), context.locals.lang) : await next();
    status = response.status;
    guardLocation(response);
    applySecurityHeaders(response.headers, context.url.protocol === 'https:');
    if (context.locals.user || isPrivatePath(context.url.pathname)) response.headers.set('Cache-Control', 'no-store');
    return response;
  } catch (error) {
    if (isUnreadableForm(context.request, error)) {
      status = 400;
      return new Response(translate(context.locals.lang ?? 'en', 'form.unreadable'), { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });
    }
    // Route and cause only: no query string, cookies, form values or tokens in the path.
    log.error('request.failed', { method: context.request.method, route: context.routePattern || routeOf(context.url.pathname), cause: describeError(error) });
    // Astro logs what escapes with its stack, and a failed query's message carries its parameters (ids, tokens,
    // personal data): hand it an error without them, unless in development where the overlay needs the cause.
    if (import.meta.env.DEV) throw error;
    // eslint-disable-next-line preserve-caught-error -- the cause is what must not reach Astro's log
    throw new Error('The request failed (logged above as request.failed)');
  } finally {
    if (!context.url.pathname.startsWith('/_astro/')) {
      log.info('request', {
        method: context.request.method,
        path: routeOf(context.url.pathname),
        status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        user: context.locals.user?.id,
      });
    }
  }
});

/** A redirect whose Location the server could not send (raw non-ASCII or control characters) goes to a safe one. */
function guardLocation(response: Response): void {
  const location = response.headers.get('location');
  if (location === null) return;
  const safe = safeLocation(location);
  if (safe !== location) response.headers.set('location', safe);
}

/** True when a page failed because the posted body is not a readable form (a client error, not ours). */
function isUnreadableForm(request: Request, error: unknown): boolean {
  return request.method === 'POST' && error instanceof TypeError && /FormData|Content-Type was not one of/i.test(error.message);
}
