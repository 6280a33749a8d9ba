/**
 * The client's address for pages, handlers, rate-limit keys and audit rows. The server module works it out
 * once per request (TRUSTED_PROXY_HOPS, src/server/client-address.ts) and passes it in locals; only in
 * `astro dev`, where there is no server module, Astro's own clientAddress is used.
 */

/** The client's address for this request, or null when it is not known. */
export function clientAddressOf(ctx: { locals: App.Locals; clientAddress?: string }): string | null {
  if ('clientAddress' in ctx.locals) return ctx.locals.clientAddress ?? null;
  try {
    return ctx.clientAddress ?? null;
  } catch {
    return null;
  }
}
