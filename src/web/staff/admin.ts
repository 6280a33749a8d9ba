/** Handlers and shared bits of the user administration pages: invite, change access, sign out, reset two-factor, deactivate. */
import type { AstroGlobal } from 'astro';
import { z } from 'zod';
import { AUDIT_ACTION_LABELS, deactivateUser, findUserById, isEmailAddress, getRoles, invalidateUserSessions, inviteUser, listAuditEvents, listAuditUsers, listUserDistricts, reactivateUser, resendInvitation, resetUserTwoFactor, updateUserAccess, UserRuleError, type AuditFilter, type User } from '../../domains/identity/index.ts';
import { recordAudit } from '../../platform/audit.ts';
import { choice, strings, text } from '../../platform/forms/index.ts';
import { getConfig } from '../../server/runtime.ts';
import { londonDayStart, nextDay } from '../../platform/time/london.ts';
import { fieldError, readPageForm, refuseForm, seeOther, unreadableForm, validateForm, type Done, type FieldError } from '../forms.ts';
import { actorOf, linkSettings } from './common.ts';
import { notFound } from '../guards.ts';

/** Radio items for every role. */
export function roleItems(): { value: string; label: string; hint?: string }[] {
  return [...getRoles().values()].map((r) => ({
    value: r.id,
    label: r.label,
    hint: r.bindsAgency ? 'Sees only referrals to their agency' : r.bindsDistrict ? 'Works only in their district' : r.twoFactorRequired ? 'Must use two-factor authentication' : undefined,
  }));
}

/** True when some role binds its users to a district (the user forms then ask for one). */
export function anyRoleBindsDistrict(): boolean {
  return [...getRoles().values()].some((r) => r.bindsDistrict);
}

/** Select items for every district, with an empty first choice. */
export function districtItems(): { value: string; label: string }[] {
  return [{ value: '', label: 'No district' }, ...getConfig().areas.filter((a) => a.kind === 'district').map((a) => ({ value: a.id, label: a.name }))];
}

/** A district's name. */
export function districtLabel(id: string | null): string {
  if (!id) return '';
  return getConfig().areas.find((a) => a.id === id)?.name ?? id;
}

/** Select items for every configured agency, with an empty first choice. */
export function agencyItems(): { value: string; label: string }[] {
  return [{ value: '', label: 'Not a partner officer' }, ...getConfig().agencies.map((a) => ({ value: a.id, label: a.name }))];
}

/** A role's label. */
export function roleLabel(id: string): string {
  return getRoles().get(id)?.label ?? id;
}

/** An agency's name. */
export function agencyLabel(id: string | null): string {
  if (!id) return '';
  return getConfig().agencies.find((a) => a.id === id)?.name ?? id;
}

/** Name, role and agency as typed (the domain checks role and agency against the configuration). */
const accessFields = {
  name: text({ label: 'Full name', max: 200, required: 'Enter the person’s full name' }),
  role: text({ label: 'Role', max: 100, required: 'Select a role' }),
  agencyId: text({ label: 'Agency', max: 100 }),
  districtId: text({ label: 'District', max: 100 }),
};
// The address's form is checked here too (the domain checks it again), so its error comes with the others at once.
const inviteSchema = z.object({
  ...accessFields,
  email: text({ label: 'Work e-mail address', max: 320, required: 'Enter their work e-mail address' }).refine((v) => !v || isEmailAddress(v), 'Enter an e-mail address in the correct format, like name@example.org'),
}).transform(({ name, email, role, agencyId, districtId }) => ({ name, email, role, agencyId, districtId }));
const accessSchema = z.object({ ...accessFields, teamDistricts: strings(50) });

/** Checkbox items for every district (a user's district team). */
export function teamDistrictItems(): { value: string; label: string }[] {
  return districtItems().filter((d) => d.value);
}

/** Run a domain command; a broken user rule becomes a field error. */
async function ruleErrors(command: () => Promise<unknown>): Promise<FieldError[]> {
  try {
    await command();
    return [];
  } catch (error) {
    if (!(error instanceof UserRuleError)) throw error;
    return [fieldError(error.field, error.message)];
  }
}

/** What the invite page renders. */
export interface InviteView {
  values: { name: string; email: string; role: string; agencyId: string; districtId: string };
  errors: FieldError[];
}

/** The string values of the named fields, trimmed, for re-rendering a refused form. */
function typed<K extends string>(form: FormData | null, keys: readonly K[], fallback: Record<K, string>): Record<K, string> {
  const out = { ...fallback };
  for (const k of keys) {
    const v = form?.get(k);
    if (typeof v === 'string') out[k] = v.trim();
  }
  return out;
}

/** Invite a user by e-mail; they choose their own password from the link. */
export async function handleInvite(astro: AstroGlobal): Promise<Done | InviteView> {
  const empty = { name: '', email: '', role: '', agencyId: '', districtId: '' };
  if (astro.request.method !== 'POST') return { values: empty, errors: [] };
  const read = await readPageForm(astro);
  if (!read.ok) return { values: empty, errors: read.errors };
  const values = typed(read.form, ['name', 'email', 'role', 'agencyId', 'districtId'] as const, empty);
  const valid = validateForm(inviteSchema, read.form);
  let errors = valid.ok ? [] : valid.errors;
  if (valid.ok) {
    let id = '';
    errors = await ruleErrors(async () => (id = (await inviteUser(valid.data, actorOf(astro), linkSettings())).id));
    if (!errors.length) return seeOther(`/staff/admin/users?invited=${encodeURIComponent(id)}`);
  }
  refuseForm(astro);
  return { values, errors };
}

/** What one user's page renders. */
export interface UserView {
  user: User;
  values: { name: string; role: string; agencyId: string; districtId: string; teamDistricts: string[] };
  errors: FieldError[];
  /** Set when the administrator pressed "Reset two-factor authentication" and is asked to confirm it. */
  confirmingReset?: boolean;
}

const USER_ACTIONS = ['access', 'sign-out', 'reset-two-factor', 'reactivate', 'resend-invitation'] as const;
const userActionSchema = z.object({ action: choice(USER_ACTIONS, 'Choose what to do') });

/** What the users list says after a change: a fixed sentence per kind, never words from the address. */
const CHANGED_MESSAGES = {
  'signed-out': (name: string) => `${name} has been signed out everywhere.`,
  'two-factor-reset': (name: string) => `Two-factor authentication for ${name} has been reset. They will set it up again at their next sign-in.`,
  reactivated: (name: string) => `${name} can sign in again.`,
  'invitation-sent': (name: string) => `A new invitation has been sent to ${name}. Earlier links no longer work.`,
  saved: (name: string) => `Changes to ${name} saved.`,
  deactivated: (name: string) => `${name} has been deactivated and signed out.`,
} as const;

/** Back to the list, which says what was done to whom (by kind and user id). */
function changed(kind: keyof typeof CHANGED_MESSAGES, user: { id: string }): Done {
  return seeOther(`/staff/admin/users?${new URLSearchParams({ changed: kind, user: user.id })}`);
}

/** The users list's banner for its query string (changed=<kind>&user=<id>, or invited=<id>), or null: unknown kinds and users say nothing. */
export function usersBanner(params: URLSearchParams, users: readonly { id: string; name: string; email: string }[]): string | null {
  const invited = params.get('invited');
  if (invited) {
    const user = users.find((u) => u.id === invited);
    return user ? `Invitation sent to ${user.email}.` : null;
  }
  const kind = params.get('changed');
  const user = users.find((u) => u.id === params.get('user'));
  return kind && user && Object.hasOwn(CHANGED_MESSAGES, kind) ? CHANGED_MESSAGES[kind as keyof typeof CHANGED_MESSAGES](user.name) : null;
}

/** One user: change name, role or agency; sign them out everywhere; reset two-factor; reactivate. */
export async function handleUser(astro: AstroGlobal): Promise<Done | UserView> {
  const user = await findUserById(String(astro.params.id));
  if (!user) return { response: await notFound(astro) };
  const stored = { name: user.name, role: user.role, agencyId: user.agencyId ?? '', districtId: user.districtId ?? '', teamDistricts: await listUserDistricts(user.id) };
  if (astro.request.method !== 'POST') return { user, values: stored, errors: [] };
  const read = await readPageForm(astro);
  if (!read.ok) return { user, values: stored, errors: read.errors };
  const intent = validateForm(userActionSchema, read.form);
  if (!intent.ok) {
    refuseForm(astro);
    return { user, values: stored, errors: unreadableForm() };
  }
  const actor = actorOf(astro);
  const action = intent.data.action;
  if (action === 'sign-out') {
    await invalidateUserSessions(user.id);
    await recordAudit(actor, 'user.signed_out_by_admin', { kind: 'user', id: user.id });
    return changed('signed-out', user);
  }
  if (action === 'reset-two-factor') {
    // No JavaScript needed: the first press asks, the second (with confirm=yes) resets.
    if (read.form.get('confirm') !== 'yes') return { user, values: stored, errors: [], confirmingReset: true };
    await resetUserTwoFactor(user.id, actor);
    return changed('two-factor-reset', user);
  }
  if (action === 'reactivate') {
    await reactivateUser(user.id, actor);
    return changed('reactivated', user);
  }
  if (action === 'resend-invitation') {
    const sent = await resendInvitation(user.id, actor, linkSettings());
    if (sent.ok) return changed('invitation-sent', user);
    refuseForm(astro);
    return { user, values: stored, errors: [fieldError('invitation', sent.message, 'main-content')] };
  }
  const values = { ...typed(read.form, ['name', 'role', 'agencyId', 'districtId'] as const, { name: '', role: '', agencyId: '', districtId: '' }), teamDistricts: read.form.getAll('teamDistricts').map(String) };
  const valid = validateForm(accessSchema, read.form);
  const errors = valid.ok ? await ruleErrors(() => updateUserAccess(user.id, valid.data, actor)) : valid.errors;
  if (!errors.length) return changed('saved', user);
  refuseForm(astro);
  return { user, values, errors };
}

/** What the deactivate page renders. */
export interface DeactivateView {
  user: User;
  errors: FieldError[];
  /** Why there is nothing to confirm (your own account, or one already deactivated), shown instead of the button. */
  cannot?: string;
}

/** Confirm deactivating a user (they are signed out at once). */
export async function handleDeactivate(astro: AstroGlobal): Promise<Done | DeactivateView> {
  const user = await findUserById(String(astro.params.id));
  if (!user) return { response: await notFound(astro) };
  // Nothing to confirm on your own account (another administrator can) or one already deactivated: no button (the server refuses either way).
  const cannot = user.id === astro.locals.user?.id ? 'You cannot deactivate your own account. Another administrator can.' : !user.active ? `${user.name} is already deactivated.` : undefined;
  if (astro.request.method !== 'POST') return { user, errors: [], cannot };
  const read = await readPageForm(astro);
  if (!read.ok) return { user, errors: read.errors, cannot };
  const errors = (await ruleErrors(() => deactivateUser(user.id, actorOf(astro)))).map((e) => fieldError(cannot ? 'main' : 'confirm', e.text, cannot ? 'main-content' : 'confirm'));
  if (!errors.length) return changed('deactivated', user);
  refuseForm(astro);
  return { user, errors, cannot };
}

/** The audit log's filter form (a GET): an action, a user, and London days from and to (both included). */
const auditFilterSchema = z.object({
  action: text({ label: 'What happened', max: 60 }),
  user: text({ label: 'Who', max: 60 }),
  from: text({ label: 'From', max: 10 }),
  to: text({ label: 'To', max: 10 }),
});

/** The audit log page (GET only; its filter form is a GET): the filters read from the address (with an error for a day that is not a date), one page of events, and where the next page is. */
export async function loadAuditLog(astro: AstroGlobal) {
  const params = astro.url.searchParams;
  const typed = Object.fromEntries(['action', 'user', 'from', 'to'].map((k) => [k, (params.get(k) ?? '').trim().slice(0, 60)])) as Record<'action' | 'user' | 'from' | 'to', string>;
  const valid = validateForm(auditFilterSchema, typed);
  const values = valid.ok ? valid.data : { action: '', user: '', from: '', to: '' };
  const errors: FieldError[] = valid.ok ? [] : valid.errors;
  const day = (field: 'from' | 'to', label: string) => {
    if (!values[field]) return undefined;
    const start = londonDayStart(values[field]);
    if (start === null) errors.push(fieldError(field, `${label} must be a real date, like 2026-11-27`));
    return start === null ? undefined : field === 'to' ? londonDayStart(nextDay(values[field]))! : start;
  };
  const filter: AuditFilter = { action: values.action || undefined, actorId: values.user || undefined, from: day('from', 'From'), to: day('to', 'To') };
  if (filter.from !== undefined && filter.to !== undefined && filter.to <= filter.from) errors.push(fieldError('to', 'To must be the same as or after From'));
  if (errors.length) refuseForm(astro);
  const beforeParam = params.get('before');
  const before = beforeParam && /^[0-9a-z]{1,40}$/.test(beforeParam) ? beforeParam : null;
  const [page, people] = await Promise.all([listAuditEvents({ before, limit: 50, filter }), listAuditUsers()]);
  const query = new URLSearchParams(Object.entries(values).filter(([, v]) => v)).toString();
  const href = (extra: string) => `/staff/admin/audit${query || extra ? `?${[query, extra].filter(Boolean).join('&')}` : ''}`;
  return {
    ...page,
    before,
    values,
    errors,
    filtered: query !== '',
    first: before ? href('') : null,
    older: page.next ? href(`before=${page.next}`) : null,
    actionItems: [{ value: '', label: 'Anything' }, ...Object.entries(AUDIT_ACTION_LABELS).map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label))],
    userItems: [{ value: '', label: 'Anyone' }, ...people.map((p) => ({ value: p.id, label: p.name }))],
  };
}
