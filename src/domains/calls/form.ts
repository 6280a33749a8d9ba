/**
 * Reading the call screen: one form, a section per call reason. Only the chosen reason's fields are read,
 * every typed value comes back for re-display, and errors use GOV.UK words. Pure: no HTTP, no database.
 */
import type { SiteConfig } from '../../platform/config/partnership.ts';
import { FormReader, normaliseEmail, type FieldError } from '../reports/answers.ts';
import { AFFECTED, PRIVACY, readDate } from '../reports/journey.ts';
import { toE164 } from '../../platform/uk/phone.ts';
import { normalisePostcode, wardForPlace, wardForPostcode } from '../../platform/uk/postcode.ts';
import { parseReference } from '../reports/reference.ts';
import { parseDuration, readStartedAt } from './duration.ts';
import { FEEDBACK_TYPES, REASON_OUTCOMES, REASON_VALUES, type CallOutcome, type CallReason } from './reasons.ts';

/** The report questions answered on a new-report call (the web journey's questions, minus photos). */
export interface CallReport {
  categoryId: string;
  description: string;
  whenKind: 'date' | 'approx' | 'ongoing';
  happenedAt: number | null;
  whenText: string | null;
  postcode: string | null;
  locationText: string | null;
  wardId: string;
  peopleInvolved: string | null;
  whoAffected: string;
  happenedBefore: string;
  privacy: 'named' | 'confidential' | 'anonymous';
  preferredContact: 'email' | 'phone' | 'either' | null;
  consentShare: boolean | null;
}

/** A call as read from the screen, ready to log. */
export interface CallDraft {
  reason: CallReason;
  outcome: CallOutcome;
  startedAt: number;
  durationS: number;
  caller: { name: string | null; phoneE164: string | null; email: string | null };
  notes: string | null;
  report?: CallReport;
  caseRef?: string;
  information?: string | null;
  adviceSlugs?: string[];
  question?: string | null;
  feedback?: { type: string; text: string };
  signpostService?: string | null;
  /** The screen's one-time token: the same token never logs two calls. */
  token: string | null;
}

/** What reading the call screen gives back. */
export interface CallFormResult {
  draft: CallDraft | null;
  errors: FieldError[];
  /** Every typed value by field name, for re-display. */
  values: Record<string, string>;
  /** Ticked advice slugs, for re-display. */
  advice: string[];
}

const TEXT_FIELDS = [
  'token', 'lookup', 'callerName', 'callerPhone', 'callerEmail', 'duration', 'durationAuto', 'startedAt', 'notes', 'description', 'when-day', 'when-month', 'when-year', 'when-time',
  'whenText', 'postcode', 'place', 'people', 'caseRef', 'information', 'adviceQuery', 'question', 'feedbackText', 'signpostService',
] as const;
const CHOICE_FIELDS = ['reason', 'danger', 'category', 'whenKind', 'ward', 'affected', 'before', 'privacy', 'preferredContact', 'consentShare', 'feedbackType', ...REASON_VALUES.map((r) => `outcome-${r}`)];

/** Every field's submitted text (first value, trimmed to a sane length), so a failed save shows what was typed. */
export function keepValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of [...TEXT_FIELDS, ...CHOICE_FIELDS]) {
    const v = form.get(name);
    values[name] = typeof v === 'string' ? v.slice(0, 6000) : '';
  }
  return values;
}

/** Read and check the call screen. `adviceSlugs` are the published advice pages that may be ticked. */
export function readCallForm(form: FormData, config: SiteConfig, adviceSlugs: readonly string[], now = Date.now()): CallFormResult {
  const r = new FormReader(form);
  const values = keepValues(form);
  const advice = form.getAll('advice').filter((v): v is string => typeof v === 'string').slice(0, 50);

  const name = r.text('callerName', "Caller's name", { max: 120 });
  const phoneRaw = r.text('callerPhone', "Caller's phone number", { max: 30 });
  const emailRaw = r.text('callerEmail', "Caller's email address", { max: 254 });
  const phoneE164 = phoneRaw ? toE164(phoneRaw) : null;
  if (phoneRaw && !phoneE164 && !r.error('callerPhone')) r.fail('callerPhone', 'Enter a UK phone number, like 01632 960 001 or 07700 900 982');
  const email = emailRaw ? normaliseEmail(emailRaw) : null;
  if (emailRaw && !email && !r.error('callerEmail')) r.fail('callerEmail', 'Enter an email address in the correct format, like name@example.com');

  const reason = r.choice('reason', REASON_VALUES, 'Select why the person called', 'reason');
  const draft: Partial<CallDraft> = { reason, caller: { name: name || null, phoneE164, email } };

  switch (reason) {
    case 'new-report':
      draft.report = readReport(r, config, now, { name, phoneE164, email });
      break;
    case 'case-info': {
      const refRaw = r.text('caseRef', 'Case reference', { max: 30, required: 'Enter the case reference, like HM-7K3M-9QX4' });
      if (refRaw) {
        const ref = parseReference(refRaw, config.partnership.referencePrefix);
        if (!ref) r.fail('caseRef', `Enter a real case reference, like ${config.partnership.referencePrefix}-7K3M-9QX4`);
        else draft.caseRef = ref;
      }
      break;
    }
    case 'info-request': {
      r.text('adviceQuery', 'Search advice', { max: 100 });
      const known = new Set(adviceSlugs);
      const chosen = [...new Set(advice)];
      if (chosen.some((s) => !known.has(s))) r.fail('advice', 'Select advice from the published pages');
      draft.adviceSlugs = chosen.filter((s) => known.has(s));
      draft.question = r.text('question', 'What the caller asked', { max: 2000, multiline: true }) || null;
      break;
    }
    case 'feedback': {
      const type = r.choice('feedbackType', FEEDBACK_TYPES.map((t) => t.value), 'Select what kind of feedback this is');
      const text = r.text('feedbackText', 'The feedback', { max: 5000, multiline: true, required: 'Enter what the caller told us' });
      if (type === 'complaint' && !phoneE164 && !email && !r.error('callerPhone') && !r.error('callerEmail')) {
        r.fail('callerPhone', "Enter the caller's phone number or email address so we can reply to the complaint");
      }
      if (type && text) draft.feedback = { type, text };
      break;
    }
    case 'signposted':
    case 'silent':
    case undefined:
      break;
  }

  if (reason) {
    const outcome = r.choice(`outcome-${reason}`, REASON_OUTCOMES[reason], 'Select the outcome of the call');
    draft.outcome = outcome;
    if (reason === 'case-info') {
      const information = r.text('information', 'What the caller told us', { max: 5000, multiline: true, required: outcome === 'information-added' ? 'Enter the information the caller gave' : undefined });
      draft.information = information || null;
    }
    if (reason === 'info-request' && outcome === 'advice-given' && (draft.adviceSlugs ?? []).length === 0 && !r.error('advice')) {
      r.fail('advice', 'Select the advice you gave, or choose another outcome');
    }
    if (reason === 'signposted') {
      draft.signpostService = r.text('signpostService', 'Service the caller was sent to', { max: 200, required: outcome === 'signposted-other' ? 'Enter the service you sent the caller to' : undefined }) || null;
    }
  }

  const startedAt = readStartedAt(values.startedAt ?? '', now);
  draft.startedAt = startedAt;
  const durationRaw = r.text('duration', 'Call length', { max: 12 });
  const auto = r.text('durationAuto', 'Call length', { max: 12 });
  if (!durationRaw || durationRaw === auto) {
    draft.durationS = Math.max(0, Math.round((now - startedAt) / 1000));
  } else {
    const seconds = parseDuration(durationRaw);
    if (seconds === null) r.fail('duration', 'Enter how long the call took in minutes and seconds, like 4:30');
    else draft.durationS = seconds;
  }
  draft.notes = r.text('notes', 'Notes', { max: 2000, multiline: true }) || null;
  draft.token = /^[a-z2-7]{26}$/.test(values.token ?? '') ? values.token! : null;

  return { draft: r.ok ? (draft as CallDraft) : null, errors: r.errors, values, advice };
}

function readReport(r: FormReader, config: SiteConfig, now: number, caller: { name: string; phoneE164: string | null; email: string | null }): CallReport | undefined {
  const danger = r.choice('danger', ['yes', 'no'] as const, 'Select yes if anyone is in danger right now');
  if (danger === 'yes') r.fail('danger', 'Someone is in danger: tell the caller to ring 999 now, then log the call as signposted to 999');
  const categoryId = r.choice('category', config.categories.map((c) => c.id), 'Select what the report is about');
  const description = r.text('description', 'What happened', { max: 5000, multiline: true, required: 'Enter what happened' });
  if (description && description.length < 10 && !r.error('description')) r.fail('description', 'What happened must be 10 characters or more');

  const whenKind = r.choice('whenKind', ['date', 'approx', 'ongoing'] as const, 'Select when it happened');
  let happenedAt: number | null = null;
  let whenText: string | null = null;
  if (whenKind === 'date') {
    const day = r.text('when-day', 'Day', { max: 2 });
    const month = r.text('when-month', 'Month', { max: 2 });
    const year = r.text('when-year', 'Year', { max: 4 });
    const time = r.text('when-time', 'Time', { max: 5 });
    const at = readDate(day, month, year, time, now);
    if (typeof at === 'string') r.fail(/^Time/.test(at) ? 'when-time' : 'when-day', at);
    else happenedAt = at;
  } else if (whenKind) {
    const label = whenKind === 'ongoing' ? 'How often it happens' : 'Roughly when it happened';
    whenText = r.text('whenText', label, { max: 500, required: whenKind === 'ongoing' ? 'Enter how often it happens' : 'Enter roughly when it happened' }) || null;
  }

  const postcodeRaw = r.text('postcode', 'Postcode', { max: 12 });
  const place = r.text('place', 'Street or place', { max: 500 });
  const wardRaw = r.choice('ward', config.areas.filter((a) => a.kind === 'ward').map((a) => a.id), null);
  let postcode: string | null = null;
  let wardId: string | null = wardRaw ?? null;
  if (postcodeRaw) {
    postcode = normalisePostcode(postcodeRaw);
    if (!postcode) r.fail('postcode', 'Enter a real postcode, like HW1 2AB');
    else if (!wardId) {
      wardId = wardForPostcode(postcode, config.gazetteer);
      if (!wardId) r.fail('ward', `${postcode} is not in our area: select the ward where it happened`);
    }
  }
  if (!postcodeRaw && !place) r.fail('postcode', 'Enter a postcode or the street or place where it happened');
  if (!wardId && place) wardId = wardForPlace(place, config.gazetteer);
  if (!wardId && !r.error('postcode') && !r.error('ward')) r.fail('ward', 'Select the ward where it happened');

  const people = r.text('people', 'People or vehicles involved', { max: 2000, multiline: true });
  const affected = r.choice('affected', AFFECTED.map((a) => a.value), 'Select who is affected');
  const before = r.choice('before', ['yes', 'no', 'not-sure'] as const, 'Select whether this has happened before');
  const privacy = r.choice('privacy', PRIVACY.map((p) => p.value), 'Select how the caller wants us to treat their details');
  let preferredContact: CallReport['preferredContact'] = null;
  let consentShare: boolean | null = null;
  if (privacy && privacy !== 'anonymous') {
    if (!caller.name && !r.error('callerName')) r.fail('callerName', "Enter the caller's name, or choose anonymous");
    if (!caller.phoneE164 && !caller.email && !r.error('callerPhone') && !r.error('callerEmail')) {
      r.fail('callerPhone', "Enter the caller's phone number or email address, or choose anonymous");
    }
    preferredContact = r.choice('preferredContact', ['email', 'phone', 'either'] as const, 'Select how the caller would like us to contact them') ?? null;
    if (preferredContact === 'email' && !caller.email && !r.error('callerEmail')) r.fail('callerEmail', "Enter the caller's email address, or choose phone as the way to contact them");
    if (preferredContact === 'phone' && !caller.phoneE164 && !r.error('callerPhone')) r.fail('callerPhone', "Enter the caller's phone number, or choose email as the way to contact them");
    if (privacy === 'confidential') {
      const consent = r.choice('consentShare', ['yes', 'no'] as const, 'Select yes if the caller agreed we may share their details with partner agencies');
      consentShare = consent === undefined ? null : consent === 'yes';
    } else {
      consentShare = true;
    }
  }
  if (!categoryId || !description || !whenKind || !wardId || !affected || !before || !privacy) return undefined;
  return {
    categoryId,
    description,
    whenKind,
    happenedAt,
    whenText,
    postcode,
    locationText: place || null,
    wardId,
    peopleInvolved: people || null,
    whoAffected: affected,
    happenedBefore: before,
    privacy,
    preferredContact,
    consentShare,
  };
}
