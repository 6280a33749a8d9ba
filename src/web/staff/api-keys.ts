/** Handlers of the Open311 API key pages: issue a key (shown once), see one, revoke it. */
import type { AstroGlobal } from 'astro';
import { z } from 'zod';
import { findKey, issueKey, KEY_ID_PATTERN, MAX_PER_MINUTE, revokeKey, type ApiKey } from '../../domains/open311/index.ts';
import { newId } from '../../platform/security/ids.ts';
import { choice, choices, text } from '../../platform/forms/index.ts';
import { getConfig } from '../../server/runtime.ts';
import { fieldError, readPageForm, refuseForm, seeOther, unreadableForm, validateForm, type Done, type FieldError } from '../forms.ts';
import { actorOf } from './common.ts';
import { notFound } from '../guards.ts';

/** The calls a minute a new key gets unless the administrator says otherwise. */
export const DEFAULT_PER_MINUTE = 60;

/** Checkbox items for every service (report category). */
export function serviceItems(): { value: string; label: string; hint?: string }[] {
  return getConfig().categories.map((c) => ({ value: c.id, label: c.name, hint: c.sensitive ? 'Sensitive: never in the public list' : c.public ? 'Public: listed by ward and status' : undefined }));
}

/** What a key may do, in words. */
export function describeAccess(key: Pick<ApiKey, 'canRead' | 'canWrite'>): string {
  return [key.canWrite && 'Create requests', key.canRead && 'Read its own requests and updates'].filter(Boolean).join('; ') || 'Nothing';
}

/** The services a key covers, in words. */
export function describeServices(key: Pick<ApiKey, 'services'>): string {
  if (key.services === null) return 'Every service';
  const names = new Map(getConfig().categories.map((c) => [c.id, c.name]));
  return key.services.map((s) => names.get(s) ?? s).join(', ');
}

/** The form as typed, for re-rendering a refused form. */
export interface KeyFormValues {
  name: string;
  access: string[];
  scope: string;
  services: string[];
  perMinute: string;
  /** The id the key will have, chosen when the form is shown, so the form sent twice issues one key. */
  keyId: string;
}

/** What the issue page renders: the form (with errors), or the key issued, shown once. */
export interface IssueView {
  values: KeyFormValues;
  errors: FieldError[];
  issued?: { key: ApiKey; token: string };
  /** The key this form issued already (it was sent again): shown without its secret, which was shown once. */
  issuedBefore?: ApiKey;
}

/** The issue form's fields, in page order; the services are checked against the configuration as the form is read. */
function keySchema(serviceIds: string[]) {
  return z.object({
    name: text({ label: 'Name', max: 100, required: 'Enter a name for the key, such as the system that will use it' }),
    access: choices(['write', 'read'] as const, 'Select what the key may do').refine((v) => v.length > 0, 'Select what the key may do'),
    scope: choice(['all', 'chosen'] as const, 'Select which services the key may use'),
    services: choices(serviceIds, 'Select services from the list'),
    perMinute: text({ label: 'Calls a minute', max: 10, required: 'Enter how many calls a minute the key may make' }).refine(
      (v) => !v || (/^\d{1,5}$/.test(v) && Number(v) >= 1 && Number(v) <= MAX_PER_MINUTE),
      `Calls a minute must be a whole number from 1 to ${MAX_PER_MINUTE.toLocaleString('en-GB')}`,
    ),
  });
}

/** The fields in page order, for ordering the error summary. */
const FIELD_ORDER = ['name', 'access', 'scope', 'services', 'perMinute'];

/** Issue a key: the full key is shown on this page once, never stored and never sent again. */
export async function handleIssueKey(astro: AstroGlobal): Promise<IssueView> {
  const empty: KeyFormValues = { name: '', access: [], scope: '', services: [], perMinute: String(DEFAULT_PER_MINUTE), keyId: newId() };
  if (astro.request.method !== 'POST') return { values: empty, errors: [] };
  const read = await readPageForm(astro);
  if (!read.ok) return { values: empty, errors: read.errors };
  const form = read.form;
  const strings = (name: string) => form.getAll(name).filter((v): v is string => typeof v === 'string');
  const sentId = String(form.get('keyId') ?? '');
  const values: KeyFormValues = { name: String(form.get('name') ?? '').trim(), access: strings('access'), scope: String(form.get('scope') ?? ''), services: strings('services'), perMinute: String(form.get('perMinute') ?? '').trim(), keyId: KEY_ID_PATTERN.test(sentId) ? sentId : newId() };
  const valid = validateForm(keySchema(getConfig().categories.map((c) => c.id)), form);
  const errors = valid.ok ? [] : [...valid.errors];
  if (values.scope === 'chosen' && !values.services.length && !errors.some((e) => e.field === 'services')) errors.push(fieldError('services', 'Select at least one service'));
  if (!valid.ok || errors.length) {
    refuseForm(astro);
    // Each error links to its input, or its first box or radio, whose id is the field's name.
    return { values, errors: errors.sort((a, b) => FIELD_ORDER.indexOf(a.field) - FIELD_ORDER.indexOf(b.field)) };
  }
  const d = valid.data;
  const issued = await issueKey({ name: d.name, services: d.scope === 'all' ? null : d.services, canRead: d.access.includes('read'), canWrite: d.access.includes('write'), perMinute: Number(d.perMinute) }, actorOf(astro), Date.now(), values.keyId);
  if (issued) return { values: empty, errors: [], issued };
  // The same form again: its key exists (issued by this form, or an id that is taken). Nothing new is issued.
  refuseForm(astro, 409);
  const before = await findKey(values.keyId);
  return before ? { values, errors: [], issuedBefore: before } : { values: { ...values, keyId: newId() }, errors: unreadableForm() };
}

/** What one key's page renders. */
export interface KeyView {
  key: ApiKey;
  errors: FieldError[];
  /** Set when "Revoke this key" was pressed and the administrator is asked to confirm it. */
  confirming?: boolean;
}

/** One key, with a button to revoke it (at once, for every later call). */
export async function handleKey(astro: AstroGlobal): Promise<Done | KeyView> {
  const key = await findKey(String(astro.params.id));
  if (!key) return { response: await notFound(astro) };
  if (astro.request.method !== 'POST') return { key, errors: [] };
  const read = await readPageForm(astro);
  if (!read.ok) return { key, errors: read.errors };
  if (key.revokedAt !== null) {
    refuseForm(astro);
    return { key, errors: [fieldError('revoke', 'This key has already been revoked', 'main-content')] };
  }
  // No JavaScript needed: the first press asks, the second (with confirm=yes) revokes.
  if (read.form.get('confirm') !== 'yes') return { key, errors: [], confirming: true };
  await revokeKey(key.id, actorOf(astro));
  return seeOther(`/staff/admin/api-keys?revoked=${encodeURIComponent(key.id)}`);
}
