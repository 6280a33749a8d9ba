/** Handlers of the sign-in pages: e-mail and password, then the second factor (set-up, code or recovery code). */
import type { APIContext, AstroGlobal } from 'astro';
import { z } from 'zod';
import { confirmTotpSetup, findUserById, invalidateSession, invalidateUserSessions, pendingTotpKey, signIn, verifyRecoveryCode, verifyTwoFactorCode, type CodeResult, type User } from '../../domains/identity/index.ts';
import { optionalChoice, readForm, secret, text } from '../../platform/forms/index.ts';
import { recordAudit } from '../../platform/audit.ts';
import { describeWait } from '../../platform/security/rate-limit.ts';
import { getRuntime } from '../../server/runtime.ts';
import { readPageForm, refuseForm, seeOther, validateForm, fieldError, type Done, type FieldError } from '../forms.ts';
import { isCrossSiteWrite } from '../guards.ts';
import { deleteSessionCookie, setSessionCookie } from '../session-cookie.ts';
import { readTrustedDevice, trustThisDevice } from '../trusted-device-cookie.ts';
import { actorOf, clientIp, safeNext } from './common.ts';

/** The sign-in form. */
const signInSchema = z.object({
  email: text({ label: 'E-mail address', max: 320, required: 'Enter your e-mail address' }),
  password: secret({ label: 'Password', max: 2000, required: 'Enter your password' }),
});

/** What the sign-in page renders. */
export interface SignInView {
  next: string;
  email: string;
  errors: FieldError[];
  notice: string | null;
}

const NOTICES: [string, string][] = [
  ['signed-out', 'You have signed out.'],
  ['reset', 'Your password has been changed. Sign in with your new password.'],
  ['invited', 'Your password is set. Sign in to continue.'],
  ['expired', 'You were signed out because your session ended. Sign in again.'],
];

/** Sign in with e-mail and password; throttled, and the message never says which part was wrong. */
export async function handleSignIn(astro: AstroGlobal): Promise<Done | SignInView> {
  const next = safeNext(astro.url.searchParams.get('next'));
  if (astro.locals.user) {
    if (astro.locals.session?.pendingTwoFactor) return seeOther(`/staff/two-factor?next=${encodeURIComponent(next)}`);
    if (astro.request.method === 'GET') return seeOther(next);
  }
  const notice = NOTICES.find(([param]) => astro.url.searchParams.has(param))?.[1] ?? null;
  if (astro.request.method !== 'POST') return { next, email: '', errors: [], notice };
  const read = await readPageForm(astro);
  if (!read.ok) return { next, email: '', errors: read.errors, notice };
  const valid = validateForm(signInSchema, read.form);
  const email = typeof read.form.get('email') === 'string' ? String(read.form.get('email')).trim() : '';
  if (!valid.ok) {
    refuseForm(astro);
    return { next, email, errors: valid.errors, notice };
  }
  const result = await signIn({ ...valid.data, ip: clientIp(astro), userAgent: astro.request.headers.get('user-agent'), demoMode: getRuntime().env.DEMO_MODE, previousSessionId: astro.locals.session?.id ?? null, trustedDevice: readTrustedDevice(astro) });
  if (result.ok) {
    setSessionCookie(astro, result.token, result.session.createdAt);
    return seeOther(result.twoFactor === 'none' ? next : `/staff/two-factor?next=${encodeURIComponent(next)}`);
  }
  if (result.reason === 'throttled') {
    astro.response.status = 429;
    astro.response.headers.set('Retry-After', String(Math.ceil(result.retryAfterMs / 1000)));
    return { next, email, notice, errors: [fieldError('email', `Too many failed attempts to sign in. Try again in ${describeWait(result.retryAfterMs)}.`)] };
  }
  refuseForm(astro);
  return { next, email, notice, errors: [fieldError('email', 'Enter a correct e-mail address and password. Both may be case sensitive.')] };
}

/** Which second-factor step the page shows. */
export type TwoFactorMode = 'setup' | 'verify' | 'recovery';

/** What the two-factor page renders. */
export interface TwoFactorView {
  next: string;
  user: User;
  mode: TwoFactorMode;
  /** True when the step is owed at sign-in (not chosen from the account page). */
  pending: boolean;
  errors: FieldError[];
  /** Shown once, after set-up. */
  recoveryCodes: string[] | null;
  /** The key to add to an authenticator app, during set-up. */
  key: Uint8Array | null;
  action: string;
  title: string;
}

const CODE_REQUIRED: Record<TwoFactorMode, string> = { setup: 'Enter the 6-digit code from your authenticator app', verify: 'Enter the 6-digit code from your authenticator app', recovery: 'Enter a recovery code' };
const CODE_WRONG: Record<TwoFactorMode, string> = {
  setup: 'The code is not right: check the time on your phone is correct and enter the latest code',
  verify: 'The code is not right or has been used: enter the latest code from your authenticator app',
  recovery: 'The recovery code is not right or has already been used',
};

/** The message for a refused code when it was throttled. */
function throttledMessage(r: CodeResult): string | null {
  return !r.ok && r.reason === 'throttled' ? `Too many wrong codes. Try again in ${describeWait(r.retryAfterMs)}.` : null;
}

/** The second sign-in step: set up TOTP, or check a code or a recovery code. */
export async function handleTwoFactor(astro: AstroGlobal): Promise<Done | TwoFactorView> {
  const next = safeNext(astro.url.searchParams.get('next'));
  if (isCrossSiteWrite(astro.request)) return { response: new Response('Cross-site requests are not allowed.', { status: 403 }) };
  if (!astro.locals.user || !astro.locals.session) return seeOther(`/staff/sign-in?next=${encodeURIComponent(next)}`);
  const session = astro.locals.session;
  const user = (await findUserById(astro.locals.user.id))!;
  const pending = session.pendingTwoFactor;
  // Set-up is the owed step, or chosen from the account page by someone without two-factor yet.
  const mode: TwoFactorMode | null =
    pending === 'setup' || (!pending && !user.totpEnabledAt && astro.url.searchParams.has('setup'))
      ? 'setup'
      : pending === 'verify'
        ? astro.url.searchParams.has('recovery') ? 'recovery' : 'verify'
        : null;
  if (!mode) return seeOther(next);
  let errors: FieldError[] = [];
  let recoveryCodes: string[] | null = null;
  if (astro.request.method === 'POST') {
    const read = await readPageForm(astro);
    const valid = read.ok ? validateForm(z.object({ code: text({ label: 'Code', max: 64, required: CODE_REQUIRED[mode] }) }), read.form) : read;
    if (!valid.ok) errors = valid.errors;
    else {
      const actor = actorOf(astro);
      const code = valid.data.code;
      const r = mode === 'setup' ? await confirmTotpSetup(user, session.id, code, actor) : mode === 'verify' ? await verifyTwoFactorCode(user, session.id, code, actor) : await verifyRecoveryCode(user, session.id, code, actor);
      if (r.ok) await trustThisDevice(astro, user.id);
      if (r.ok && mode === 'setup') recoveryCodes = 'recoveryCodes' in r && Array.isArray(r.recoveryCodes) ? r.recoveryCodes : null;
      else if (r.ok && mode === 'verify') return seeOther(next);
      else if (r.ok) {
        const remaining = (r as { remaining?: number }).remaining;
        return seeOther(remaining !== undefined && remaining < 3 ? '/staff/account?recovery-low=1' : next);
      } else {
        const throttled = throttledMessage(r);
        errors = [fieldError('code', throttled ?? CODE_WRONG[mode])];
        if (throttled) astro.response.status = 429;
      }
    }
    if (errors.length > 0) refuseForm(astro);
  }
  const key = mode === 'setup' && !recoveryCodes ? await pendingTotpKey(user) : null;
  const action = `/staff/two-factor?next=${encodeURIComponent(next)}${mode === 'recovery' ? '&recovery=1' : ''}${mode === 'setup' && !pending ? '&setup=1' : ''}`;
  const title = recoveryCodes ? 'Save your recovery codes' : mode === 'setup' ? 'Set up two-factor authentication' : mode === 'recovery' ? 'Use a recovery code' : 'Enter your security code';
  return { next, user, mode, pending: !!pending, errors, recoveryCodes, key, action, title };
}

/** The sign-out form: all=1 signs out everywhere. */
const signOutSchema = z.object({ all: optionalChoice(['1'], 'Choose where to sign out') });

/** End this session (or every session of the user), clear the cookie and go to sign-in; a body that is not a form changes nothing. */
export async function handleSignOut(context: APIContext): Promise<Response> {
  if (isCrossSiteWrite(context.request)) return new Response('Cross-site requests are not allowed.', { status: 403 });
  const read = await readForm(context.request);
  if (!read.ok) return new Response(read.errors[0]!.text, { status: read.status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  const { user, session } = context.locals;
  if (user && session) {
    const valid = validateForm(signOutSchema, read.form);
    const everywhere = valid.ok && valid.data.all === '1';
    if (everywhere) await invalidateUserSessions(user.id);
    else await invalidateSession(session.id);
    await recordAudit({ kind: 'user', id: user.id, ip: clientIp(context) }, everywhere ? 'auth.signed_out_everywhere' : 'auth.signed_out', { kind: 'user', id: user.id });
  }
  deleteSessionCookie(context);
  return context.redirect('/staff/sign-in?signed-out=1', 303);
}
