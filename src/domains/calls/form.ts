/**
 * Reading the call screen: one form, a section per call reason. Only the chosen reason's fields are read,
 * every typed value comes back for re-display, and errors use GOV.UK words. A new report is read with the
 * report questions themselves (src/domains/reports/questions.ts), so a caller's answers are checked exactly
 * as the web journey checks them, with the same messages. Pure: no HTTP, no database.
 */
import type { SiteConfig } from '../../platform/config/partnership.ts';
import { validateForm, type FieldError } from '../../platform/forms/index.ts';
import { buildQuestionSchema, type Answers, type CrossCheck, type DateAnswer, type Question, type TextQuestion } from '../../platform/questions/index.ts';
import { reportQuestions, sharesDetails, whereCheck } from '../reports/questions.ts';
import { parseReference } from '../reports/reference.ts';
import { readCallStart, readDuration } from './duration.ts';
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
  /** The postcode's centroid (or a pin), WGS84 degrees, from the where check. */
  lat: number | null;
  lon: number | null;
  locationSource: 'postcode' | 'pin' | null;
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
  /** When the screen was drawn (server clock): with the token, it fixes the call's id, so a resubmission is the same call. */
  openedAt: number;
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
  'token', 'lookup', 'callerName', 'callerPhone', 'callerEmail', 'duration', 'durationAuto', 'startedAt', 'openedAt', 'notes', 'description', 'when-day', 'when-month', 'when-year', 'when-time',
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

/** The caller's details: the report's contact questions, optional, under the call screen's field names. */
export function callerQuestions(config: SiteConfig): TextQuestion[] {
  const contact = reportQuestions(config);
  const as = (key: string, name: string, messageLabel: string): TextQuestion => {
    const q = contact.find((x) => x.key === key) as TextQuestion;
    return { ...q, key: name, name, messageLabel, required: undefined, showWhen: undefined, page: 'caller' };
  };
  return [as('name', 'callerName', "Caller's name"), as('phone', 'callerPhone', "Caller's phone number"), as('email', 'callerEmail', "Caller's email address")];
}

/**
 * The report questions asked on a call: every web question but the contact page's own details (the caller
 * fieldset holds those). Consent is asked only for a confidential report: a named caller has agreed to share.
 */
export function callReportQuestions(config: SiteConfig): Question[] {
  return reportQuestions(config)
    .filter((q) => !['name', 'email', 'phone'].includes(q.key));
}

/** A report call: nobody in danger, and a named or confidential report needs the caller's details. */
const callerCheck: CrossCheck = (a, { fail, failed }) => {
  if (a.danger === 'yes') fail('danger', 'Someone is in danger: tell the caller to ring 999 now, then log the call as signposted to 999');
  if (a.privacy !== 'named' && a.privacy !== 'confidential') return;
  if (!a.callerName && !failed('callerName')) fail('callerName', "Enter the caller's name, or choose anonymous");
  if (!a.callerPhone && !a.callerEmail && !failed('callerPhone') && !failed('callerEmail')) fail('callerPhone', "Enter the caller's phone number or email address, or choose anonymous");
  if (a.preferredContact === 'email' && !a.callerEmail && !failed('callerEmail')) fail('callerEmail', "Enter the caller's email address, or choose phone as the way to contact them");
  if (a.preferredContact === 'phone' && !a.callerPhone && !failed('callerPhone')) fail('callerPhone', "Enter the caller's phone number, or choose email as the way to contact them");
};

/** The questions of one call reason's section, and its outcome. */
function reasonQuestions(reason: CallReason, config: SiteConfig, adviceSlugs: readonly string[]): Question[] {
  const prefix = config.partnership.referencePrefix;
  const text = (key: string, messageLabel: string, max: number, extra: Partial<TextQuestion> = {}): TextQuestion => ({ type: 'text', key, label: messageLabel, messageLabel, max, multiline: true, ...extra });
  const outcome: Question = {
    type: 'choice', key: 'outcome', name: `outcome-${reason}`, label: 'Outcome', required: 'Select the outcome of the call',
    options: REASON_OUTCOMES[reason].map((o) => ({ value: o, label: o })),
  };
  switch (reason) {
    case 'new-report':
      return [...callReportQuestions(config), outcome];
    case 'case-info':
      return [
        text('caseRef', 'Case reference', 30, {
          multiline: false, required: `Enter the case reference, like ${prefix}-7K3M-9QX4`,
          parse: (v) => {
            const ref = parseReference(v, prefix);
            return ref ? { ok: true, value: ref } : { ok: false, message: `Enter a real case reference, like ${prefix}-7K3M-9QX4` };
          },
        }),
        outcome,
        text('information', 'What the caller told us', 5000),
      ];
    case 'info-request':
      return [
        text('adviceQuery', 'Search advice', 100, { multiline: false }),
        { type: 'multiple', key: 'advice', label: 'Advice given', options: adviceSlugs.map((s) => ({ value: s, label: s })), invalid: 'Select advice from the published pages' },
        text('question', 'What the caller asked', 2000),
        outcome,
      ];
    case 'feedback':
      return [
        { type: 'choice', key: 'feedbackType', label: 'What kind of feedback?', options: FEEDBACK_TYPES, required: 'Select what kind of feedback this is' },
        text('feedbackText', 'The feedback', 5000, { required: 'Enter what the caller told us' }),
        outcome,
      ];
    case 'signposted':
      return [outcome, text('signpostService', 'Service the caller was sent to', 200, { multiline: false })];
    case 'silent':
    case 'consultation':
      return [outcome];
  }
}

/** Checks across a reason's questions: what an outcome needs, and how to reply to a complaint. */
const reasonCheck: CrossCheck = (a, { fail, failed }) => {
  if (a.outcome === 'information-added' && !a.information && !failed('information')) fail('information', 'Enter the information the caller gave');
  if (a.outcome === 'advice-given' && !(a.advice as string[] | undefined)?.length && !failed('advice')) fail('advice', 'Select the advice you gave, or choose another outcome');
  if (a.outcome === 'signposted-other' && !a.signpostService && !failed('signpostService')) fail('signpostService', 'Enter the service you sent the caller to');
  if (a.feedbackType === 'complaint' && !a.callerPhone && !a.callerEmail && !failed('callerPhone') && !failed('callerEmail')) {
    fail('callerPhone', "Enter the caller's phone number or email address so we can reply to the complaint");
  }
};

/** Read and check the call screen. `adviceSlugs` are the published advice pages that may be ticked. */
export function readCallForm(form: FormData, config: SiteConfig, adviceSlugs: readonly string[], now = Date.now()): CallFormResult {
  const values = keepValues(form);
  const advice = form.getAll('advice').filter((v): v is string => typeof v === 'string').slice(0, 50);
  const rawReason = form.get('reason');
  const reason = REASON_VALUES.find((r) => r === rawReason);
  const reasonQuestion: Question = { type: 'choice', key: 'reason', label: 'Why did they call?', options: REASON_VALUES.map((r) => ({ value: r, label: r })), required: 'Select why the person called' };
  const questions: Question[] = [
    ...callerQuestions(config),
    reasonQuestion,
    ...(reason ? reasonQuestions(reason, config, adviceSlugs) : []),
    { type: 'text', key: 'duration', label: 'Call length', messageLabel: 'Call length', max: 12 },
    { type: 'text', key: 'durationAuto', label: 'Call length', messageLabel: 'Call length', max: 12 },
    { type: 'text', key: 'notes', label: 'Notes', messageLabel: 'Notes', max: 2000, multiline: true },
  ];
  // The call starts when the handler says so ("Call started", or the first key they press); until then only a typed length counts.
  const started = readCallStart(values.startedAt ?? '', now);
  let durationS = started === null ? 0 : Math.max(0, Math.round((now - started) / 1000));
  const durationCheck: CrossCheck = (a, { fail, failed }) => {
    if (failed('duration')) return;
    const typed = String(a.duration ?? '');
    if (!typed || typed === a.durationAuto) {
      if (started === null) fail('duration', 'Enter how long the call took, like 90 (seconds) or 1:30');
      return;
    }
    const read = readDuration(typed);
    if (read.ok) durationS = read.seconds;
    else fail('duration', read.message);
  };
  // Someone in danger: the 999 instruction is the only thing the handler needs to see.
  if (reason === 'new-report' && form.get('danger') === 'yes') {
    return { draft: null, errors: [{ field: 'danger', href: '#danger', text: 'Someone is in danger: tell the caller to ring 999 now, then log the call as signposted to 999' }], values, advice };
  }
  const checks = [...(reason === 'new-report' ? [whereCheck(config), callerCheck] : []), reasonCheck, durationCheck];
  const result = validateForm(buildQuestionSchema(questions, { checks, now }), form);
  if (!result.ok) return { draft: null, errors: result.errors, values, advice };
  const a = result.data;
  const str = (k: string) => (typeof a[k] === 'string' && a[k] ? (a[k] as string) : null);
  const draft: CallDraft = {
    reason: reason!,
    outcome: a.outcome as CallOutcome,
    startedAt: started ?? now - durationS * 1000,
    openedAt: readCallStart(values.openedAt ?? '', now) ?? started ?? now,
    durationS,
    caller: { name: str('callerName'), phoneE164: str('callerPhone'), email: str('callerEmail') },
    notes: str('notes'),
    token: /^[a-z2-7]{26}$/.test(values.token ?? '') ? values.token! : null,
  };
  if (reason === 'new-report') draft.report = callReport(a);
  if (reason === 'case-info') Object.assign(draft, { caseRef: str('caseRef') ?? undefined, information: str('information') });
  if (reason === 'info-request') Object.assign(draft, { adviceSlugs: (a.advice as string[] | undefined) ?? [], question: str('question') });
  if (reason === 'feedback') draft.feedback = { type: a.feedbackType as string, text: a.feedbackText as string };
  if (reason === 'signposted') draft.signpostService = str('signpostService');
  return { draft, errors: [], values, advice };
}

/** The report a new-report call makes, from its checked answers. */
function callReport(a: Answers): CallReport {
  const privacy = a.privacy as CallReport['privacy'];
  const named = privacy !== 'anonymous';
  return {
    categoryId: a.category as string,
    description: a.description as string,
    whenKind: a.whenKind as CallReport['whenKind'],
    happenedAt: (a.when as DateAnswer | undefined)?.at ?? null,
    whenText: (a.whenText as string | undefined) || null,
    postcode: (a.postcode as string | undefined) || null,
    locationText: (a.place as string | undefined) || null,
    wardId: a.ward as string,
    lat: typeof a.lat === 'number' ? a.lat : null,
    lon: typeof a.lon === 'number' ? a.lon : null,
    locationSource: typeof a.lat === 'number' ? ((a.locationSource as CallReport['locationSource']) ?? 'pin') : null,
    peopleInvolved: (a.people as string | undefined) || null,
    whoAffected: a.affected as string,
    happenedBefore: a.before as string,
    privacy,
    preferredContact: named ? ((a.preferredContact as CallReport['preferredContact']) ?? null) : null,
    consentShare: sharesDetails(privacy, a.consentShare),
  };
}
