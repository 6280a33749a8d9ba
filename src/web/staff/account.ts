/** Handler of the account page: sign out of other devices, change password, new recovery codes, turn two-factor off. */
import type { AstroGlobal } from 'astro';
import { z } from 'zod';
import { changeOwnPassword, confirmPassword, disableTwoFactor, findRole, findUserById, invalidateUserSessions, listUserSessions, regenerateRecoveryCodes, type Role, type Session, type User } from '../../domains/identity/index.ts';
import { recordAudit, type Actor } from '../../platform/audit.ts';
import { choice, secret } from '../../platform/forms/index.ts';
import { describeWait } from '../../platform/security/rate-limit.ts';
import { getConfig } from '../../server/runtime.ts';
import { fieldError, readPageForm, refuseForm, seeOther, unreadableForm, validateForm, type Done, type FieldError } from '../forms.ts';
import { actorOf } from './common.ts';

/** What the account page renders. */
export interface AccountView {
  user: User;
  role: Role | undefined;
  agency: string | null;
  sessions: Session[];
  errors: FieldError[];
  /** Shown once, after making new recovery codes. */
  newCodes: string[] | null;
  done: string | null;
}

const DONE_TEXT: Record<string, string> = {
  others: 'You have signed out of every other device.',
  password: 'Your password has been changed. You have been signed out of every other device.',
  'two-factor-off': 'Two-factor authentication is off.',
};

const ACTIONS = ['sign-out-others', 'password', 'recovery-codes', 'disable-two-factor'] as const;
const actionSchema = z.object({ action: choice(ACTIONS, 'Choose what to do') });
const PASSWORD = { max: 2000 };
const passwordSchema = z.object({
  currentPassword: secret({ ...PASSWORD, label: 'Current password', required: 'Enter your current password' }),
  newPassword: secret({ ...PASSWORD, label: 'New password', required: 'Enter a new password' }),
  confirmPassword: secret({ ...PASSWORD, label: 'Confirm new password' }),
});
const codesSchema = z.object({ codesPassword: secret({ ...PASSWORD, label: 'Your password' }) });
const disableSchema = z.object({ disablePassword: secret({ ...PASSWORD, label: 'Your password' }) });

/** What one intent gives back: a redirect, errors, or new recovery codes to show. */
type Outcome = Done | { errors: FieldError[]; newCodes?: string[] };

interface Ctx {
  form: FormData;
  user: User;
  role: Role | undefined;
  sessionId: string;
  actor: Actor;
}

/** Check the password typed into one of the two-factor forms. */
async function checkPassword(c: Ctx, field: 'codesPassword' | 'disablePassword', password: string): Promise<FieldError[]> {
  const check = await confirmPassword(c.user, password, c.actor);
  if (check.ok) return [];
  return [fieldError(field, check.reason === 'throttled' ? `Too many wrong passwords. Try again in ${describeWait(check.retryAfterMs)}.` : 'Your password is not right')];
}

/** Each intent of the page: form object, command, redirect or re-render. */
const INTENTS: Record<(typeof ACTIONS)[number], (c: Ctx) => Promise<Outcome>> = {
  'sign-out-others': async (c) => {
    await invalidateUserSessions(c.user.id, c.sessionId);
    await recordAudit(c.actor, 'auth.signed_out_other_devices', { kind: 'user', id: c.user.id });
    return seeOther('/staff/account?done=others');
  },
  password: async (c) => {
    const valid = validateForm(passwordSchema, c.form);
    if (!valid.ok) return valid;
    if (valid.data.newPassword !== valid.data.confirmPassword) return { errors: [fieldError('confirmPassword', 'The new passwords do not match')] };
    const p = getConfig().partnership;
    const problem = await changeOwnPassword(c.user, c.sessionId, valid.data.currentPassword, valid.data.newPassword, [p.name, p.shortName], c.actor);
    return problem ? { errors: [fieldError(problem.field, problem.message)] } : seeOther('/staff/account?done=password');
  },
  'recovery-codes': async (c) => {
    const valid = validateForm(codesSchema, c.form);
    if (!valid.ok) return valid;
    const errors = await checkPassword(c, 'codesPassword', valid.data.codesPassword);
    if (errors.length || !c.user.totpEnabledAt) return { errors };
    return { errors, newCodes: await regenerateRecoveryCodes(c.user, c.actor) };
  },
  'disable-two-factor': async (c) => {
    const valid = validateForm(disableSchema, c.form);
    if (!valid.ok) return valid;
    const errors = await checkPassword(c, 'disablePassword', valid.data.disablePassword);
    if (errors.length || c.role?.twoFactorRequired) return { errors };
    await disableTwoFactor(c.user, c.actor);
    return seeOther('/staff/account?done=two-factor-off');
  },
};

/** The account page: on POST run the chosen intent, then show details, two-factor and sessions. */
export async function handleAccount(astro: AstroGlobal): Promise<Done | AccountView> {
  const me = astro.locals.user!;
  const session = astro.locals.session!;
  let user = (await findUserById(me.id))!;
  const role = findRole(user.role);
  let errors: FieldError[] = [];
  let newCodes: string[] | null = null;
  if (astro.request.method === 'POST') {
    const read = await readPageForm(astro);
    const intent = read.ok ? validateForm(actionSchema, read.form) : read;
    if (!read.ok) errors = read.errors;
    else if (!intent.ok) errors = unreadableForm();
    else {
      const outcome = await INTENTS[intent.data.action]({ form: read.form, user, role, sessionId: session.id, actor: actorOf(astro) });
      if ('response' in outcome) return outcome;
      errors = outcome.errors;
      newCodes = outcome.newCodes ?? null;
    }
    if (errors.length > 0) refuseForm(astro);
    user = (await findUserById(me.id))!;
  }
  const sessions = await listUserSessions(user.id, Date.now());
  const done = astro.url.searchParams.get('done');
  const agency = user.agencyId ? getConfig().agencies.find((a) => a.id === user.agencyId)?.name ?? user.agencyId : null;
  return { user, role, agency, sessions, errors, newCodes, done: done ? DONE_TEXT[done] ?? null : null };
}
