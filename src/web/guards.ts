/**
 * Authorisation guards for pages (frontmatter) and endpoints (handlers). Every protected route calls one.
 *   const denied = await guardPage(Astro, 'case.read.all'); if (denied) return denied;
 * Not signed in: 303 to /staff/sign-in?next=…; second factor still owed: 303 to /staff/two-factor?next=…;
 * signed in without the permission: the designed 403 page (/staff/forbidden). A state-changing request
 * that the browser marks Sec-Fetch-Site: cross-site is refused too (a second layer behind checkOrigin).
 */
import type { APIContext, AstroGlobal } from 'astro';
import type { Permission } from '../domains/identity/index.ts';
import type { StaffActor } from '../domains/cases/index.ts';
import { clientAddressOf } from './client-address.ts';

type Ctx = Pick<APIContext, 'locals' | 'url' | 'request' | 'rewrite'> | AstroGlobal;

/** True when the signed-in user holds the permission. */
export function can(locals: App.Locals, permission: Permission): boolean {
  return !!locals.user && locals.user.permissions.includes(permission);
}

/** The signed-in user as a case actor: permissions plus the agency or district their role binds them to. */
export function actorFor(ctx: { locals: App.Locals; clientAddress?: string }): StaffActor {
  const user = ctx.locals.user!;
  const ip = clientAddressOf(ctx);
  return { id: user.id, name: user.name, permissions: user.permissions, agencyId: user.agencyId, districtId: user.districtId, teamDistricts: user.teamDistricts, bindsAgency: user.bindsAgency, bindsDistrict: user.bindsDistrict, ip };
}

/**
 * A 404 that does not say whether the record exists (for records outside the user's scope too): for pages, given
 * the context, the designed 404 page; without it (downloads and files), a bare 404 that names nothing.
 */
export async function notFound(ctx?: Pick<APIContext, 'rewrite' | 'url' | 'request'> | AstroGlobal): Promise<Response> {
  if (!ctx) return new Response('Not found', { status: 404 });
  // A fresh GET, so a form body already read (a POST refused late) is never cloned.
  const res = await ctx.rewrite(new Request(new URL('/404', ctx.url), { headers: ctx.request.headers }));
  return new Response(res.body, { status: 404, headers: res.headers });
}

/** True for a state-changing request that a browser says came from another site. */
export function isCrossSiteWrite(request: Request): boolean {
  if (['GET', 'HEAD', 'OPTIONS'].includes(request.method)) return false;
  return request.headers.get('sec-fetch-site') === 'cross-site';
}

function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: { Location: location } });
}

function nextParam(ctx: Ctx): string {
  return encodeURIComponent(ctx.request.method === 'GET' ? ctx.url.pathname + ctx.url.search : ctx.url.pathname);
}

/** For pages: a Response to return when access is refused, or null when allowed. Needs every listed permission. */
export async function guardPage(ctx: Ctx, ...permissions: Permission[]): Promise<Response | null> {
  if (isCrossSiteWrite(ctx.request)) return new Response('Cross-site requests are not allowed.', { status: 403 });
  if (!ctx.locals.user) return redirect(`/staff/sign-in?next=${nextParam(ctx)}`);
  if (ctx.locals.session?.pendingTwoFactor) return redirect(`/staff/two-factor?next=${nextParam(ctx)}`);
  for (const p of permissions) {
    if (!can(ctx.locals, p)) {
      const res = await ctx.rewrite('/staff/forbidden');
      return new Response(res.body, { status: 403, headers: res.headers });
    }
  }
  return null;
}

/** For endpoints and form handlers: a plain 401/403 when refused, or null when allowed. */
export async function guardRequest(ctx: Ctx, ...permissions: Permission[]): Promise<Response | null> {
  if (isCrossSiteWrite(ctx.request)) return new Response('Cross-site requests are not allowed.', { status: 403 });
  if (!ctx.locals.user || ctx.locals.session?.pendingTwoFactor) return new Response('Sign in to continue.', { status: 401 });
  for (const p of permissions) if (!can(ctx.locals, p)) return new Response('You do not have permission to do this.', { status: 403 });
  return null;
}
