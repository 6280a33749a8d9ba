/**
 * Authorisation guards for pages (frontmatter) and endpoints (handlers). Every protected route calls one.
 *   const denied = await guardPage(Astro, 'case.read.all'); if (denied) return denied;
 * Not signed in: 303 to /staff/sign-in?next=…  Signed in without the permission: a 403 page.
 */
import type { APIContext, AstroGlobal } from 'astro';

type Ctx = Pick<APIContext, 'locals' | 'url' | 'redirect'> | AstroGlobal;

/** True when the signed-in user holds the permission. */
export function can(locals: App.Locals, permission: string): boolean {
  return !!locals.user && locals.user.permissions.includes(permission);
}

function signInRedirect(ctx: Ctx): Response {
  const next = ctx.url.pathname + ctx.url.search;
  return new Response(null, { status: 303, headers: { Location: `/staff/sign-in?next=${encodeURIComponent(next)}` } });
}

/** For pages: a Response to return when access is refused, or null when allowed. Needs every listed permission. */
export async function guardPage(ctx: Ctx, ...permissions: string[]): Promise<Response | null> {
  if (!ctx.locals.user) return signInRedirect(ctx);
  if (!ctx.locals.session?.twoFactorVerified && ctx.locals.user.permissions.includes('__2fa_pending')) return signInRedirect(ctx);
  for (const p of permissions) {
    if (!can(ctx.locals, p)) return new Response('You do not have permission to see this page.', { status: 403, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  }
  return null;
}

/** For endpoints and form handlers: 401/403 JSON-free responses when refused, or null when allowed. */
export async function guardRequest(ctx: Ctx, ...permissions: string[]): Promise<Response | null> {
  if (!ctx.locals.user) return new Response('Sign in to continue.', { status: 401 });
  for (const p of permissions) if (!can(ctx.locals, p)) return new Response('You do not have permission to do this.', { status: 403 });
  return null;
}
