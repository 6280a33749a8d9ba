/**
 * The case state machine: seven states, outcomes as resolution codes, a reopen window,
 * and the words the reporter sees. Pure: every function takes `now` and returns data.
 */
import { formatDate } from '../../platform/time/london.ts';

/** Every case status, in workflow order. */
export const CASE_STATUSES = ['new', 'open', 'awaiting_reporter', 'referred', 'with_partner', 'resolved', 'closed'] as const;

/** A case status. */
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** Staff-facing labels for each status. */
export const STATUS_LABELS: Record<CaseStatus, string> = {
  new: 'New',
  open: 'Open',
  awaiting_reporter: 'Awaiting reporter',
  referred: 'Referred',
  with_partner: 'With partner',
  resolved: 'Resolved',
  closed: 'Closed',
};

/** Outcome codes recorded on resolve or close, instead of extra states. */
export const RESOLUTION_CODES = ['action_taken', 'advice_given', 'no_further_action', 'duplicate', 'redirected_emergency', 'out_of_scope', 'withdrawn', 'spam'] as const;

/** A resolution code. */
export type ResolutionCode = (typeof RESOLUTION_CODES)[number];

/** Staff-facing labels for each resolution code. */
export const RESOLUTION_LABELS: Record<ResolutionCode, string> = {
  action_taken: 'Action taken',
  advice_given: 'Advice given',
  no_further_action: 'No further action',
  duplicate: 'Duplicate',
  redirected_emergency: 'Redirected to 999 or 101',
  out_of_scope: 'Out of scope (signposted)',
  withdrawn: 'Withdrawn by the reporter',
  spam: 'Spam or abusive',
};

/** Resolutions whose cases are not counted as reports (the figures and hot-spots leave them out): the same report twice, or not a report at all. */
export const NOT_COUNTED_RESOLUTIONS: readonly ResolutionCode[] = ['duplicate', 'spam'];

/** The SQL condition, over `cases c`, of a counted report: a report (not feedback) not resolved as duplicate or spam. */
export const COUNTED_REPORT_SQL = `c.kind = 'report' AND coalesce(c.resolution_code, '') NOT IN (${NOT_COUNTED_RESOLUTIONS.map((r) => `'${r}'`).join(', ')})`;

/** Allowed moves: from each status, the statuses a case may go to. */
export const TRANSITIONS: Record<CaseStatus, readonly CaseStatus[]> = {
  new: ['open', 'awaiting_reporter', 'referred', 'resolved', 'closed'],
  open: ['awaiting_reporter', 'referred', 'with_partner', 'resolved', 'closed'],
  awaiting_reporter: ['open', 'resolved', 'closed'],
  referred: ['open', 'with_partner', 'resolved'],
  with_partner: ['open', 'resolved'],
  resolved: ['open', 'closed'],
  closed: ['open'],
};

/** The statuses in which a case counts as finished. */
export const FINISHED_STATUSES: readonly CaseStatus[] = ['resolved', 'closed'];

/** The statuses that pause the resolve timer. */
export const PAUSED_STATUSES: readonly CaseStatus[] = ['awaiting_reporter'];

/** True if the value is a known status. */
export function isCaseStatus(value: unknown): value is CaseStatus {
  return typeof value === 'string' && (CASE_STATUSES as readonly string[]).includes(value);
}

/** True if the value is a known resolution code. */
export function isResolutionCode(value: unknown): value is ResolutionCode {
  return typeof value === 'string' && (RESOLUTION_CODES as readonly string[]).includes(value);
}

/** What the reporter sees for a status (derived, never stored). */
export function publicStatus(status: string): string {
  switch (status) {
    case 'new':
      return 'Received';
    case 'open':
      return 'Being looked at';
    case 'awaiting_reporter':
      return 'We need more information';
    case 'referred':
    case 'with_partner':
      return 'Passed to a partner';
    case 'resolved':
      return 'Resolved';
    case 'closed':
      return 'Closed';
    default:
      return 'Received';
  }
}

/** The parts of a case the state machine looks at. */
export interface CaseWorkflowState {
  status: string;
  priority?: string | null;
  resolutionCode?: string | null;
  referredAgencyId?: string | null;
  reopenUntil?: number | null;
  closedAt?: number | null;
  resolvedAt?: number | null;
  /** True if the reporter can be contacted: an e-mail or phone, or (anonymous) a tracking code for /track. */
  reporterContactable?: boolean;
}

/** What the officer asks for. */
export interface TransitionInput {
  to: string;
  resolutionCode?: string | null;
  agencyId?: string | null;
}

/** Workflow settings from configuration. */
export interface WorkflowSettings {
  reopenWindowDays: number;
}

/** Field changes for an allowed move. */
export interface TransitionChanges {
  status: CaseStatus;
  statusChangedAt: number;
  resolutionCode?: string | null;
  referredAgencyId?: string | null;
  resolvedAt?: number | null;
  closedAt?: number | null;
  reopenUntil?: number | null;
  /** Cleared on reopen: a case worked again is no longer a duplicate. */
  duplicateOf?: string | null;
}

/** The answer to a move: the changes to apply, or a refusal in plain words. */
export type TransitionResult = { ok: true; changes: TransitionChanges; reopened: boolean } | { ok: false; message: string };

const DAY = 86_400_000;

function refuse(message: string): TransitionResult {
  return { ok: false, message };
}

/** Check a status change and work out the field changes, or refuse it with a clear message. */
export function transitionCase(current: CaseWorkflowState, input: TransitionInput, settings: WorkflowSettings, now: number): TransitionResult {
  if (!isCaseStatus(input.to)) return refuse(`'${input.to}' is not a case status`);
  const to = input.to;
  const from = isCaseStatus(current.status) ? current.status : null;
  if (!from) return refuse(`The case has an unknown status '${current.status}'`);
  if (from === to) return refuse(`The case is already ${STATUS_LABELS[to].toLowerCase()}`);
  if (!TRANSITIONS[from].includes(to)) {
    const allowed = TRANSITIONS[from].map((s) => STATUS_LABELS[s].toLowerCase()).join(', ');
    return refuse(`A case that is ${STATUS_LABELS[from].toLowerCase()} cannot be moved to ${STATUS_LABELS[to].toLowerCase()}. It can be moved to: ${allowed}`);
  }
  const changes: TransitionChanges = { status: to, statusChangedAt: now };
  const reopened = (from === 'resolved' || from === 'closed') && to === 'open';

  if (reopened) {
    if (current.reopenUntil == null || now > current.reopenUntil) {
      const ended = current.reopenUntil != null ? ` The reopen window ended on ${formatDate(current.reopenUntil)}.` : '';
      return refuse(`This case can no longer be reopened.${ended} Record a new case and link it instead.`);
    }
    return { ok: true, reopened, changes: { ...changes, resolutionCode: null, resolvedAt: null, closedAt: null, reopenUntil: null, duplicateOf: null } };
  }

  if (to === 'open' && from === 'new' && !current.priority) {
    return refuse('Set a priority before opening the case (answer the triage questions)');
  }
  if (to === 'awaiting_reporter' && current.reporterContactable === false) {
    return refuse('The reporter cannot be contacted (no contact details and no tracking code), so the case cannot wait for them');
  }
  if (to === 'referred') {
    if (!input.agencyId) return refuse('Choose the agency the case is referred to');
    changes.referredAgencyId = input.agencyId;
  }
  if (to === 'with_partner' && !(input.agencyId || current.referredAgencyId)) {
    return refuse('Choose the agency the case is with');
  }
  if (to === 'with_partner' && input.agencyId) changes.referredAgencyId = input.agencyId;

  if (to === 'resolved' || to === 'closed') {
    const code = input.resolutionCode || (from === 'resolved' ? current.resolutionCode : null);
    if (!code) return refuse(`Choose a resolution code to ${to === 'resolved' ? 'resolve' : 'close'} the case`);
    if (!isResolutionCode(code)) return refuse(`'${code}' is not a resolution code`);
    changes.resolutionCode = code;
    if (to === 'resolved') {
      changes.resolvedAt = now;
      changes.reopenUntil = now + settings.reopenWindowDays * DAY;
    } else {
      changes.closedAt = now;
      changes.reopenUntil = from === 'resolved' && current.reopenUntil != null ? current.reopenUntil : now + settings.reopenWindowDays * DAY;
      if (from !== 'resolved') changes.resolvedAt = current.resolvedAt ?? now;
    }
  }
  return { ok: true, reopened, changes };
}

/** The statuses a case may move to from its current status. */
export function nextStatuses(status: string): CaseStatus[] {
  return isCaseStatus(status) ? [...TRANSITIONS[status]] : [];
}

/** Statuses that only the referral lifecycle sets (src/domains/referrals), never a status form. */
export const REFERRAL_ONLY_STATUSES: readonly CaseStatus[] = ['referred', 'with_partner'];

/** The refusal for a status form that asks for a referral-only status. */
export const REFERRAL_ONLY_MESSAGE = 'A case becomes referred or with a partner only by referring it: use "Refer to a partner" on the case page';

/** True if only the referral lifecycle may move a case to this status. */
export function isReferralOnlyStatus(status: string): boolean {
  return (REFERRAL_ONLY_STATUSES as readonly string[]).includes(status);
}

/** The statuses a status form may offer from the current status (the referral-only ones left out). */
export function formStatuses(status: string): CaseStatus[] {
  return nextStatuses(status).filter((s) => !isReferralOnlyStatus(s));
}
