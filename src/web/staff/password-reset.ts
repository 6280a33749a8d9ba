/** Handlers of the password pages: ask for a reset link, and choose a password from an e-mailed link (reset or invitation). */
import type { AstroGlobal } from 'astro';
import { z } from 'zod';
import { checkPasswordPolicy, checkUserToken, isEmailAddress, requestPasswordReset, setPasswordWithToken, type UserTokenKind } from '../../domains/identity/index.ts';
import { secret, text } from '../../platform/forms/index.ts';
import { getConfig } from '../../server/runtime.ts';
import { fieldError, readPageForm, refuseForm, seeOther, validateForm, type Done, type FieldError } from '../forms.ts';
import { clientIp, linkSettings } from './common.ts';

/** The forgotten-password form. */
const forgotSchema = z.object({
  email: text({ label: 'E-mail address', max: 320, required: 'Enter your e-mail address' }).refine((v) => !v || isEmailAddress(v), 'Enter an e-mail address in the correct format, like name@example.org'),
});

/** What the forgotten-password page renders. */
export interface ForgotPasswordView {
  sent: boolean;
  email: string;
  errors: FieldError[];
}

/** Send a reset link; the answer is the same whether or not the address has an account. */
export async function handleForgotPassword(astro: AstroGlobal): Promise<Done | ForgotPasswordView> {
  const sent = astro.url.searchParams.has('sent');
  if (astro.request.method !== 'POST') return { sent, email: '', errors: [] };
  const read = await readPageForm(astro);
  if (!read.ok) return { sent: false, email: '', errors: read.errors };
  const valid = validateForm(forgotSchema, read.form);
  if (!valid.ok) {
    refuseForm(astro);
    return { sent: false, email: String(read.form.get('email') ?? '').trim(), errors: valid.errors };
  }
  await requestPasswordReset(valid.data.email, { kind: 'public', ip: clientIp(astro) }, linkSettings());
  return seeOther('/staff/forgot-password?sent=1');
}

/** The choose-a-password form. */
const setPasswordSchema = z.object({
  password: secret({ label: 'New password', max: 2000 }),
  confirm: secret({ label: 'Confirm new password', max: 2000 }),
});

/** What the set-password page renders: the form (with errors), or a dead link. */
export type SetPasswordState = { valid: false } | { valid: true; errors: FieldError[]; email: string };

/** Check the link, and on POST set the password; redirects to sign-in when done. */
export async function handleSetPassword(astro: AstroGlobal, kind: UserTokenKind): Promise<Done | SetPasswordState> {
  const token = String(astro.params.token ?? '');
  const found = await checkUserToken(token, kind);
  if (!found) {
    astro.response.status = 404;
    return { valid: false };
  }
  if (astro.request.method !== 'POST') return { valid: true, errors: [], email: found.user.email };
  const read = await readPageForm(astro);
  const valid = read.ok ? validateForm(setPasswordSchema, read.form) : read;
  let errors: FieldError[] = valid.ok ? [] : valid.errors;
  if (valid.ok) {
    const { password, confirm } = valid.data;
    const problem = checkPasswordPolicy(password, [found.user.email, found.user.name, getConfig().partnership.name, getConfig().partnership.shortName]);
    if (problem) errors = [fieldError('password', problem)];
    else if (password !== confirm) errors = [fieldError('confirm', 'The passwords do not match')];
    else {
      const user = await setPasswordWithToken(token, kind, password, clientIp(astro));
      if (!user) {
        astro.response.status = 404;
        return { valid: false };
      }
      return seeOther(kind === 'reset' ? '/staff/sign-in?reset=1' : '/staff/sign-in?invited=1');
    }
  }
  refuseForm(astro);
  return { valid: true, errors, email: found.user.email };
}
