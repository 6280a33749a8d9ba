/**
 * Glue for the referral pages: the triage officer's refer page (/staff/cases/[ref]/refer), the release page of a
 * partner update for the reporter (/staff/cases/[ref]/updates/[id]) and the partner console (/staff/referrals,
 * /staff/referrals/[id], with documents and updates for the reporter). Handlers read the form, call the referrals domain and return either a
 * redirect or what the page renders.
 */
import type { APIContext, AstroGlobal } from 'astro';
import { csvHeaders } from '../../platform/csv.ts';
import { formatWhen } from '../../platform/time/london.ts';
import { getConfig, getRuntime } from '../../server/runtime.ts';
import { actorFor, notFound } from '../guards.ts';
import { fieldError, readPageForm, routeFormLimit, seeOther, unreadableForm, type FieldError } from '../forms.ts';
import { actionSettings, parseCaseVersion } from '../../domains/cases/index.ts';
import {
  actOnReferral, actionNeedsText, ALREADY_DECIDED, decidePendingUpdate, referralHistoryLabel, deleteDocument, findPendingUpdate, findUpdateDecision, DocumentError, exportReferral, type ExportFormat, listReferralDocuments, MAX_DOCUMENT_BYTES, partnerPhotoIds, storeDocument,
  allowedActions, deliveryWords, findDelivery, findReferralFor, listAgencyReferrals, listCaseReferrals, previewReferral, referCase, referralDueWords,
  referralHistory, isReferralStatus, snapshotOf, REFERRAL_ACTION_LABELS, REFERRAL_STATUS_LABELS, SHARE_FIELD_LABELS, type Referral, type ReferralListFilter,
  type ReferralSettings, type ReferralStatus,
} from '../../domains/referrals/index.ts';

/** Tag colours for due-time tones. */
export const TONE_COLOUR = { overdue: 'red', soon: 'orange', ok: 'green', none: 'grey' } as const;

/** Referral settings from the running configuration. */
export function referralSettings(): ReferralSettings {
  const config = getConfig();
  return { config, targets: config.targets, reopenWindowDays: config.partnership.reopenWindowDays, partnership: config.partnership.name, publicUrl: getRuntime().env.PUBLIC_URL };
}

/** Words for a referral status. */
export function referralStatusLabel(status: string): string {
  return isReferralStatus(status) ? REFERRAL_STATUS_LABELS[status] : status;
}

/** The name of an agency by id. */
export function agencyName(agencyId: string): string {
  return getConfig().agencies.find((a) => a.id === agencyId)?.name ?? agencyId;
}

/** One referral as a row on a list: status, sent, and due time in words. */
export function referralRow(r: Referral, now: number) {
  const due = referralDueWords(r, getConfig().targets, now);
  return { id: r.id, ref: snapshotOf(r).ref, agency: agencyName(r.agencyId), status: referralStatusLabel(r.status), sent: formatWhen(r.sentAt), due: due.words, colour: TONE_COLOUR[due.tone] };
}

/** The refer page: GET shows what would go to the chosen agency; POST refers and redirects. */
export async function handleReferPage(astro: AstroGlobal) {
  const actor = actorFor(astro);
  const config = getConfig();
  const ref = astro.params.ref ?? '';
  const now = Date.now();
  let errors: FieldError[] = [];
  let chosen: string[] | null = null;
  let agencyId = astro.url.searchParams.get('agency') ?? '';
  if (astro.request.method === 'POST') {
    const read = await readPageForm(astro, { multipart: false });
    if (!read.ok) errors = read.errors;
    else {
      agencyId = String(read.form.get('agencyId') ?? '');
      chosen = read.form.getAll('fields').map(String);
      const result = await referCase(ref, actor, { agencyId, fields: chosen, version: parseCaseVersion(read.form.get('version')) }, referralSettings(), now);
      if (result.ok) return seeOther(`/staff/cases/${encodeURIComponent(result.ref)}/refer?sent=${encodeURIComponent(agencyId)}#referrals`);
      errors = [fieldError(result.field ?? 'agencyId', result.message, result.field === 'fields' ? 'fields' : 'agency')];
      astro.response.status = 400;
    }
  }
  const base = await previewReferral(ref, actor, agencyId || 'none', config);
  if (!base) return { response: await notFound(astro) };
  const row = base.row;
  if (!agencyId) agencyId = '';
  const preview = agencyId ? base : null;
  const existing = await Promise.all((await listCaseReferrals(row.id)).map(async (r) => {
    const delivery = await findDelivery(r.id);
    return { ...referralRow(r, now), delivery: delivery ? deliveryWords(delivery) : null };
  }));
  const fields = (preview?.fields ?? []).map((f) => ({
    value: f, label: SHARE_FIELD_LABELS[f],
    hint: preview!.rows.filter((r) => r.field === f).map((r) => `${r.key}: ${r.value}`).join('; ').slice(0, 300) || undefined,
  }));
  return {
    row, errors, agencyId, existing, fields,
    values: chosen ?? fields.map((f) => f.value),
    agency: preview?.agency ?? null,
    contactWithheld: preview?.contactWithheld ?? null,
    sent: astro.url.searchParams.get('sent'),
    agencies: config.agencies.filter((a) => a.sharing).map((a) => ({ value: a.id, label: a.name })),
  };
}


/** Filters on the partner's list, with their labels. */
export const LIST_FILTERS: { value: ReferralListFilter; label: string }[] = [
  { value: 'open', label: 'Open (not finished)' },
  { value: 'all', label: 'All' },
  ...(Object.keys(REFERRAL_STATUS_LABELS) as ReferralStatus[]).map((s) => ({ value: s, label: REFERRAL_STATUS_LABELS[s] })),
];

/** The partner's list of their agency's referrals. */
export async function partnerList(astro: AstroGlobal) {
  const actor = actorFor(astro);
  const query = astro.url.searchParams;
  const asked = query.get('status') ?? 'open';
  const filter = (LIST_FILTERS.find((f) => f.value === asked)?.value ?? 'open') as ReferralListFilter;
  const now = Date.now();
  const page = await listAgencyReferrals(actor, filter, { before: query.get('before'), after: query.get('after') });
  const rows = page.rows.map((r) => referralRow(r, now));
  const href = (key: 'before' | 'after', id: string) => `/staff/referrals?${new URLSearchParams({ status: filter, [key]: id })}`;
  return {
    agency: actor.agencyId ? agencyName(actor.agencyId) : null,
    filter,
    rows,
    /** Newer referrals (the previous page) and older ones (the next page), when there are any. */
    previous: page.newer && rows.length ? href('after', rows[0]!.id) : page.newer ? `/staff/referrals?${new URLSearchParams({ status: filter })}` : undefined,
    next: page.older && rows.length ? href('before', rows[rows.length - 1]!.id) : undefined,
  };
}

/** The document uploaded with a partner's update (a non-empty file), a field error, or null when none was sent. */
function uploadedDocument(form: FormData): File | FieldError | null {
  const value = form.get('document');
  if (value === null || value === '') return null;
  if (typeof value === 'string') return fieldError('document', 'The document must be uploaded as a file');
  return value.size > 0 ? value : null;
}

/** Store the uploaded document (type sniffed from its content), or say why not. */
async function storeUpload(file: File): Promise<Awaited<ReturnType<typeof storeDocument>> | FieldError> {
  if (file.size > MAX_DOCUMENT_BYTES) return fieldError('document', `${file.name || 'The document'} must be smaller than 10MB`);
  try {
    return await storeDocument(getRuntime().env.UPLOAD_DIR, new Uint8Array(await file.arrayBuffer()), file.name || 'document');
  } catch (error) {
    if (error instanceof DocumentError) return fieldError('document', error.message);
    throw error;
  }
}

/** Run a partner action from the posted form: the document (if any) is stored first and removed again if the action is refused. */
async function runPartnerAction(id: string, actor: ReturnType<typeof actorFor>, form: FormData, posted: { action: string; text: string; forReporter: boolean }, now: number): Promise<{ ok: true } | { ok: false; error: FieldError } | { ok: false; result: { message: string; field?: string } }> {
  const upload = posted.action === 'update' ? uploadedDocument(form) : null;
  if (upload && !(upload instanceof File)) return { ok: false, error: upload };
  const stored = upload ? await storeUpload(upload) : undefined;
  if (stored && 'field' in stored) return { ok: false, error: stored };
  const result = await actOnReferral(id, actor, { ...posted, forReporter: posted.action === 'update' && posted.forReporter, document: stored, version: parseCaseVersion(form.get('version')) }, referralSettings(), now);
  if (!result.ok && stored) await deleteDocument(getRuntime().env.UPLOAD_DIR, stored.key);
  return result.ok ? { ok: true } : { ok: false, result };
}

/** The partner's referral page: POST runs an action and redirects; GET (or a refused POST) shows the snapshot. */
export async function handlePartnerReferral(astro: AstroGlobal) {
  const actor = actorFor(astro);
  const id = astro.params.id ?? '';
  const now = Date.now();
  let errors: FieldError[] = [];
  let posted: { action: string; text: string; forReporter: boolean } | null = null;
  const found = await findReferralFor(actor, id);
  if (!found) return { response: await notFound(astro) };
  if (astro.request.method === 'POST') {
    // Read as much as the server lets through on this route, so a document just over 10MB gets its own field error
    // below (with the typed update kept), not "too large" with nothing kept.
    const read = await readPageForm(astro, { multipart: true, maxBytes: routeFormLimit(astro) });
    if (!read.ok) errors = read.errors;
    else {
      posted = { action: String(read.form.get('action') ?? ''), text: String(read.form.get('text') ?? ''), forReporter: read.form.get('forReporter') === 'yes' };
      const outcome = await runPartnerAction(id, actor, read.form, posted, now);
      if (outcome.ok) return seeOther(`/staff/referrals/${encodeURIComponent(id)}?saved=1`);
      if (!outcome.ok && 'error' in outcome) {
        errors = [outcome.error];
        astro.response.status = 400;
      } else if (!outcome.ok) {
        const result = outcome.result;
        const anchor = result.field?.startsWith('text-') ? result.field : allowedActions(found.status)[0] ? `action-${allowedActions(found.status)[0]}` : 'history';
        errors = [fieldError(result.field ?? 'action', result.message, anchor)];
        astro.response.status = result.message.startsWith('There is no referral') ? 404 : 400;
      }
    }
  }
  const referral = (await findReferralFor(actor, id)) ?? found;
  const snapshot = snapshotOf(referral);
  const due = referralDueWords(referral, getConfig().targets, now);
  const history = (await referralHistory(referral)).map((e) => ({ when: formatWhen(e.at), what: referralHistoryLabel(e.action), body: e.body }));
  const photos = partnerPhotoIds(referral, getConfig()).map((photoId, i) => ({ href: `/staff/referrals/${encodeURIComponent(referral.id)}/photos/${encodeURIComponent(photoId)}`, label: `Photo ${i + 1}` }));
  const documents = (await listReferralDocuments(referral.id)).map((d) => ({ href: `/staff/documents/${d.id}`, name: d.filename, when: formatWhen(d.createdAt) }));
  const actions = allowedActions(referral.status).map((a) => ({ action: a, label: REFERRAL_ACTION_LABELS[a], needs: actionNeedsText(a) }));
  return { referral, snapshot, due: { words: due.words, colour: TONE_COLOUR[due.tone] }, history, actions, errors, posted, photos, documents, agency: agencyName(referral.agencyId), saved: astro.url.searchParams.has('saved') };
}

/** The release page's buttons: release; withhold (which only asks to confirm); and the confirmation's "Yes, withhold it". */
const RELEASE_DECISIONS = ['release', 'withhold', 'confirm-withhold'] as const;

/**
 * The release page of a partner update for the reporter: GET shows it to edit; POST releases it (as the reply), or
 * asks "are you sure" before withholding it for good (decision withhold), then withholds it (confirm-withhold).
 */
export async function handleReleasePage(astro: AstroGlobal) {
  const actor = actorFor(astro);
  const ref = astro.params.ref ?? '';
  const updateId = astro.params.id ?? '';
  const pending = await findPendingUpdate(ref, actor, updateId);
  if (!pending) {
    // Decided meanwhile (a second click, or another officer's page): say so, rather than "page not found".
    const decided = await findUpdateDecision(ref, actor, updateId);
    if (!decided) return { response: await notFound(astro) };
    if (astro.request.method === 'POST') astro.response.status = 409;
    return { ref, decided, errors: astro.request.method === 'POST' ? [fieldError('form', `${ALREADY_DECIDED}: it was ${decided}. Nothing was changed`, 'main-content')] : [] };
  }
  let errors: FieldError[] = [];
  let text = pending.body;
  let confirmWithhold = false;
  if (astro.request.method === 'POST') {
    const read = await readPageForm(astro, { multipart: false });
    const decision = read.ok ? RELEASE_DECISIONS.find((d) => d === read.form.get('decision')) : undefined;
    if (!read.ok) errors = read.errors;
    else if (!decision) {
      errors = unreadableForm();
      astro.response.status = 400;
    } else if (decision === 'withhold') {
      confirmWithhold = true;
    } else {
      text = String(read.form.get('releaseText') ?? '');
      const result = await decidePendingUpdate(ref, actor, updateId, { decision: decision === 'release' ? 'release' : 'withhold', text }, actionSettings());
      if (result.ok) return seeOther(`/staff/cases/${encodeURIComponent(result.ref)}?saved=1#timeline`);
      errors = [fieldError('releaseText', result.message)];
      astro.response.status = 400;
    }
  }
  return { ref, pending, agency: agencyName(pending.agencyId), when: formatWhen(pending.at), text, errors, confirmWithhold };
}

/** A referral as a JSON or CSV download for the partner's own systems (audited); 404 for anyone who may not see it. */
export async function handleReferralExport(ctx: APIContext, format: ExportFormat): Promise<Response> {
  const file = await exportReferral(actorFor(ctx), ctx.params.id ?? '', format, getConfig());
  // A download answers a bare 404: it names nothing, not even the partnership.
  if (!file) return new Response('Not found', { status: 404 });
  if (format === 'csv') return new Response(file.body, { headers: csvHeaders(file.filename) });
  return new Response(file.body, { headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Disposition': `attachment; filename="${file.filename}"`, 'Cache-Control': 'no-store' } });
}
