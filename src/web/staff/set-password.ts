/** The shared POST handling of the reset-password and accept-invite pages. */
import type { AstroGlobal } from 'astro';
import { checkPasswordPolicy } from '../../domains/identity/password.ts';
import { setPasswordWithToken } from '../../domains/identity/password-reset.ts';
import { checkUserToken, type UserTokenKind } from '../../domains/identity/user-tokens.ts';
import { getConfig } from '../../server/runtime.ts';
import { clientIp, fieldError, formText, type FieldError } from './common.ts';

/** What the page renders: the form (with errors), or a dead link. */
export type SetPasswordState = { response: Response } | { valid: false } | { valid: true; errors: FieldError[]; email: string };

/** Check the link, and on POST set the password; redirects to sign-in when done. */
export async function handleSetPassword(astro: AstroGlobal, kind: UserTokenKind): Promise<SetPasswordState> {
  const token = String(astro.params.token ?? '');
  const found = await checkUserToken(token, kind);
  if (!found) {
    astro.response.status = 404;
    return { valid: false };
  }
  const errors: FieldError[] = [];
  if (astro.request.method === 'POST') {
    const form = await astro.request.formData();
    const password = formText(form, 'password', false);
    const confirm = formText(form, 'confirm', false);
    const problem = checkPasswordPolicy(password, [found.user.email, found.user.name, getConfig().partnership.name, getConfig().partnership.shortName]);
    if (problem) errors.push(fieldError('password', problem));
    else if (password !== confirm) errors.push(fieldError('confirm', 'The passwords do not match'));
    if (errors.length === 0) {
      const user = await setPasswordWithToken(token, kind, password, clientIp(astro));
      if (!user) {
        astro.response.status = 404;
        return { valid: false };
      }
      return { response: astro.redirect(kind === 'reset' ? '/staff/sign-in?reset=1' : '/staff/sign-in?invited=1', 303) };
    }
    astro.response.status = 400;
  }
  return { valid: true, errors, email: found.user.email };
}
