/** POST /staff/sign-out: end this session, or with all=1 every session of this user (sign out everywhere). */
import type { APIRoute } from 'astro';
import { recordAudit } from '../../platform/audit.ts';
import { invalidateSession, invalidateUserSessions } from '../../domains/identity/session.ts';
import { isCrossSiteWrite } from '../../web/guards.ts';
import { deleteSessionCookie } from '../../web/session-cookie.ts';
import { clientAddressOf } from '../../web/client-address.ts';

export const POST: APIRoute = async (context) => {
  if (isCrossSiteWrite(context.request)) return new Response('Cross-site requests are not allowed.', { status: 403 });
  const { user, session } = context.locals;
  if (user && session) {
    const form = await context.request.formData().catch(() => new FormData());
    const everywhere = form.get('all') === '1';
    if (everywhere) await invalidateUserSessions(user.id);
    else await invalidateSession(session.id);
    const ip = clientAddressOf(context);
    await recordAudit({ kind: 'user', id: user.id, ip }, everywhere ? 'auth.signed_out_everywhere' : 'auth.signed_out', { kind: 'user', id: user.id });
  }
  deleteSessionCookie(context);
  return context.redirect('/staff/sign-in?signed-out=1', 303);
};
