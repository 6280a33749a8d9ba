/**
 * Cross-cutting request handling only: request logs, security headers, and loading the staff session into
 * locals. Authorisation is never decided here; each page and endpoint checks it. In `astro dev` the first
 * request boots the runtime; the built server boots it before listening (src/server/entry.ts).
 */
import type { AstroCookies } from 'astro';
import { defineMiddleware } from 'astro:middleware';
import { describeError, log, routeOf } from './platform/log.ts';
import { applySecurityHeaders, isPrivatePath } from './platform/security/headers.ts';
import { ensureRuntime } from './server/runtime.ts';
import { loadSession } from './web/session-cookie.ts';
import { safeLocation } from './web/redirects.ts';
import { endRender, isCacheable, lookupPage, markPagesStale, startRender, storePage, type RenderTicket } from './web/page-cache.ts';
import { resolveRequestLanguage } from './web/language.ts';
import { translate } from './platform/i18n/index.ts';

export const onRequest = defineMiddleware(async (context, next) => {
  const started = performance.now();
  await ensureRuntime();
  let status = 500;
  let ticket: RenderTicket | null = null;
  try {
    const { request, url } = context;
    const cookies = request.headers.get('cookie');
    // Public pages that do not depend on the visitor (src/web/page-cache.ts): the server module answers hits before
    // Astro; a hit here is `astro dev`'s. A request with a session cookie is never cacheable, so it is loaded first.
    // A request choosing its language (?lang=) sets a cookie: never answered from (or kept in) the page cache.
    const cacheable = isCacheable(request.method, url, cookies);
    const hit = cacheable ? await lookupPage(request.method, url, cookies, request.headers.get('if-none-match')) : null;
    if (hit) {
      status = hit.status;
      return new Response(hit.status === 304 ? null : new Uint8Array(hit.body), { status: hit.status, headers: hit.headers });
    }
    ticket = cacheable ? await startRender(url, cookies) : null;
    await loadSession(context);
    context.locals.lang = resolveRequestLanguage(context);
    let response = await next();
    // What this request changed (a publish, say) shows on this process's cached pages at once, before it is answered.
    if (request.method !== 'GET' && request.method !== 'HEAD') markPagesStale();
    guardLocation(response);
    applySecurityHeaders(response.headers, url.protocol === 'https:');
    if (context.locals.user || isPrivatePath(url.pathname)) response.headers.set('Cache-Control', 'no-store');
    if (ticket && !context.locals.user) response = await storePage(ticket, response, request.headers.get('if-none-match'), setsCookie(context.cookies, response));
    status = response.status;
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
    if (ticket) endRender(ticket);
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

/** True when the response sets a cookie, in its headers or through Astro.cookies (added by the adapter after the middleware). */
function setsCookie(cookies: AstroCookies, response: Response): boolean {
  return response.headers.has('set-cookie') || !cookies.headers().next().done;
}

/** True when a page failed because the posted body is not a readable form (a client error, not ours). */
function isUnreadableForm(request: Request, error: unknown): boolean {
  return request.method === 'POST' && error instanceof TypeError && /FormData|Content-Type was not one of/i.test(error.message);
}
