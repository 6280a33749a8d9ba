/**
 * Handlers for the privacy pages: finding what is held about a person (/staff/admin/privacy), the subject
 * access download (export.json), erasure with a review and a confirmation (erase), and a case's legal hold
 * (/staff/cases/[ref]/legal-hold). The pages only guard and render. Contact details travel in POST bodies,
 * never in URLs, so they stay out of logs and browser history.
 */
import type { APIContext, AstroGlobal } from 'astro';
import { z } from 'zod';
import { recordAudit } from '../../platform/audit.ts';
import { readForm, text, typedValues, validateForm, type FieldError } from '../../platform/forms/index.ts';
import { changeLegalHold, findLegalHold, type LegalHoldState } from '../../domains/cases/index.ts';
import { canActOnCase } from '../../domains/cases/index.ts';
import { eraseSubject, exportFileName, exportSubjectData, legalHoldMessage, previewErasure, subjectSchema, type ErasurePreview, type Subject } from '../../domains/privacy/index.ts';
import { getConfig, getRuntime } from '../../server/runtime.ts';
import { actorOf, clientIp } from './common.ts';
import { actorFor, notFound } from '../guards.ts';
import { unreadableForm } from '../forms.ts';

/** What the find and erase pages draw. */
export interface PrivacyPage {
  /** What was typed, to put back in the field. */
  typed: string;
  errors: FieldError[];
  subject: Subject | null;
  preview: ErasurePreview | null;
  /** A message after an erasure (from the redirect). */
  done: string | null;
}

/** Read and validate the person field from a POST; sets 4xx on the response when it fails. */
async function readSubjectForm(astro: AstroGlobal): Promise<{ ok: true; subject: Subject; typed: string; form: FormData } | { ok: false; typed: string; errors: FieldError[] }> {
  const read = await readForm(astro.request, { multipart: false, maxBytes: 4096 });
  if (!read.ok) {
    astro.response.status = read.status;
    return { ok: false, typed: '', errors: read.errors };
  }
  const typed = typedValues(read.form).subject ?? '';
  const valid = validateForm(subjectSchema, read.form);
  if (!valid.ok) {
    astro.response.status = 400;
    return { ok: false, typed, errors: valid.errors };
  }
  return { ok: true, subject: valid.data.subject, typed, form: read.form };
}

/** The erased banner's words from the redirect's counts (numbers only). */
function doneMessage(params: URLSearchParams): string | null {
  const cases = Number(params.get('cases'));
  const calls = Number(params.get('calls'));
  if (!params.has('erased') || !Number.isInteger(cases) || !Number.isInteger(calls)) return null;
  return `Personal data removed from ${cases} ${cases === 1 ? 'case' : 'cases'} and ${calls} ${calls === 1 ? 'call' : 'calls'}. The statistics were kept.`;
}

/** /staff/admin/privacy: a GET shows the find form; a POST shows what is held about the person (the look-up is audited). */
export async function handlePrivacyFind(astro: AstroGlobal): Promise<PrivacyPage> {
  const page: PrivacyPage = { typed: '', errors: [], subject: null, preview: null, done: doneMessage(astro.url.searchParams) };
  if (astro.request.method !== 'POST') return page;
  const read = await readSubjectForm(astro);
  page.typed = read.typed;
  if (!read.ok) {
    page.errors = read.errors;
    return page;
  }
  page.subject = read.subject;
  page.preview = await previewErasure(read.subject);
  await recordAudit(actorOf(astro), 'privacy.search', null, { kind: read.subject.kind, refs: page.preview.cases.map((c) => c.ref) });
  return page;
}

/** /staff/admin/privacy/erase: review what would be removed (intent review), then remove it (intent confirm, a 303 back to the find page). */
export async function handleErasure(astro: AstroGlobal): Promise<Response | PrivacyPage> {
  const page: PrivacyPage = { typed: '', errors: [], subject: null, preview: null, done: null };
  if (astro.request.method !== 'POST') return page;
  const read = await readSubjectForm(astro);
  page.typed = read.typed;
  if (!read.ok) {
    page.errors = read.errors;
    return page;
  }
  page.subject = read.subject;
  if (read.form.get('intent') === 'confirm') {
    const result = await eraseSubject(read.subject, actorOf(astro), getRuntime().env.UPLOAD_DIR);
    if (result.ok) return astro.redirect(`/staff/admin/privacy?erased=1&cases=${result.cases}&calls=${result.calls}`, 303);
    astro.response.status = 409;
    page.errors = [{ field: 'confirm', href: '#held-cases', text: legalHoldMessage(result.held) }];
  }
  page.preview = await previewErasure(read.subject);
  return page;
}

/** POST /staff/admin/privacy/export.json: the subject access file (audited), or 4xx text when the person field is wrong. */
export async function handleExport(context: APIContext): Promise<Response> {
  const read = await readForm(context.request, { multipart: false, maxBytes: 4096 });
  if (!read.ok) return new Response(read.errors[0]!.text, { status: read.status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  const valid = validateForm(subjectSchema, read.form);
  if (!valid.ok) return new Response(valid.errors[0]!.text, { status: 400, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  const now = Date.now();
  const actor = { kind: 'user' as const, id: context.locals.user?.id ?? null, ip: clientIp(context) };
  const document = await exportSubjectData(valid.data.subject, actor, getConfig().partnership.name, now);
  return new Response(JSON.stringify(document, null, 2), {
    status: 200,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="${exportFileName(now)}"`,
      'Cache-Control': 'no-store',
    },
  });
}

/** What the legal hold page draws. */
export interface LegalHoldPage {
  hold: LegalHoldState;
  errors: FieldError[];
  reason: string;
  /** The reason typed for lifting the hold (kept on the confirmation and after an error). */
  liftReason: string;
  /** True on the "are you sure" step before a hold is lifted. */
  confirmLift: boolean;
  changed: boolean;
}

const holdSchema = z.object({
  reason: text({ label: 'Reason for the legal hold', max: 500, required: 'Enter the reason for the legal hold', multiline: true }),
});

const liftSchema = z.object({
  liftReason: text({ label: 'Reason for lifting the legal hold', max: 500, required: 'Enter the reason for lifting the legal hold', multiline: true }),
});

/** The page's intents: place a hold; lift one (a reason, then a confirmation page); confirm lifting it. */
const HOLD_INTENTS = ['place', 'lift', 'confirm-lift'] as const;

/**
 * /staff/cases/[ref]/legal-hold: place a hold with a reason; lift it with a reason (intent lift shows what lifting
 * means and asks to confirm, intent confirm-lift lifts it); 404 for an unknown case or one outside the user's scope.
 */
export async function handleLegalHold(astro: AstroGlobal): Promise<Response | LegalHoldPage> {
  const ref = String(astro.params.ref ?? '').slice(0, 40);
  const hold = await findLegalHold(ref);
  // A case outside the user's scope answers as if it did not exist (src/domains/cases/policy.ts).
  if (!hold || !canActOnCase(actorFor(astro), hold, 'case.hold')) return await notFound(astro);
  const page: LegalHoldPage = { hold, errors: [], reason: '', liftReason: '', confirmLift: false, changed: astro.url.searchParams.has('changed') };
  if (astro.request.method !== 'POST') return page;
  const read = await readForm(astro.request, { multipart: false, maxBytes: 8192 });
  if (!read.ok) {
    astro.response.status = read.status;
    page.errors = read.errors;
    return page;
  }
  const intent = HOLD_INTENTS.find((i) => i === read.form.get('intent'));
  if (!intent) {
    astro.response.status = 400;
    page.errors = unreadableForm();
    return page;
  }
  const lifting = intent !== 'place';
  const valid = validateForm(lifting ? liftSchema : holdSchema, read.form);
  if (!valid.ok) {
    astro.response.status = 400;
    page.errors = valid.errors;
    page[lifting ? 'liftReason' : 'reason'] = typedValues(read.form)[lifting ? 'liftReason' : 'reason'] ?? '';
    return page;
  }
  const reason = 'liftReason' in valid.data ? valid.data.liftReason : valid.data.reason;
  if (intent === 'lift' && hold.held) return { ...page, liftReason: reason, confirmLift: true };
  const result = await changeLegalHold(hold.ref, { hold: !lifting, reason }, actorOf(astro));
  if (result.ok) return astro.redirect(`/staff/cases/${encodeURIComponent(hold.ref)}/legal-hold?changed=1`, 303);
  astro.response.status = 409;
  // Show the case as it is now: a refusal usually means someone else changed the hold since this page was read.
  page.hold = (await findLegalHold(hold.ref)) ?? hold;
  page.errors = [{ field: 'form', href: page.hold.held ? '#liftReason' : '#reason', text: result.message }];
  return page;
}
