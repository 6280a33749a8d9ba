/**
 * The referral lifecycle: sent, acknowledged, accepted or declined (with a reason), in progress, completed (with
 * an outcome) or returned (with a reason), or withdrawn by the partnership (withdraw.ts); the case status the referrals of a case imply; and overdue in words.
 * Pure: every function takes `now` and returns data.
 */
import { addWorkingDays, dueWords, type DueWords, type WorkingCalendar } from '../cases/timers.ts';

/** Every referral status, in lifecycle order. */
export const REFERRAL_STATUSES = ['sent', 'acknowledged', 'accepted', 'declined', 'in_progress', 'completed', 'returned', 'withdrawn'] as const;

/** A referral status. */
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

/** Words for each referral status. */
export const REFERRAL_STATUS_LABELS: Record<ReferralStatus, string> = {
  sent: 'Sent',
  acknowledged: 'Acknowledged',
  accepted: 'Accepted',
  declined: 'Declined',
  in_progress: 'In progress',
  completed: 'Completed',
  returned: 'Returned',
  withdrawn: 'Withdrawn by the partnership',
};

/** What a partner officer can do to a referral. */
export const REFERRAL_ACTIONS = ['acknowledge', 'accept', 'decline', 'update', 'complete', 'return'] as const;

/** One partner action. */
export type ReferralAction = (typeof REFERRAL_ACTIONS)[number];

/** Words for each action (button text). */
export const REFERRAL_ACTION_LABELS: Record<ReferralAction, string> = {
  acknowledge: 'Acknowledge',
  accept: 'Accept',
  decline: 'Decline',
  update: 'Add an update',
  complete: 'Complete',
  return: 'Return to the partnership',
};

/** From each status, the actions allowed and where they lead. */
const MOVES: Record<ReferralStatus, Partial<Record<ReferralAction, ReferralStatus>>> = {
  sent: { acknowledge: 'acknowledged', accept: 'accepted', decline: 'declined' },
  acknowledged: { accept: 'accepted', decline: 'declined' },
  accepted: { update: 'in_progress', complete: 'completed', return: 'returned' },
  in_progress: { update: 'in_progress', complete: 'completed', return: 'returned' },
  declined: {},
  completed: {},
  returned: {},
  withdrawn: {},
};

/** True if the value is a known referral status. */
export function isReferralStatus(value: unknown): value is ReferralStatus {
  return typeof value === 'string' && (REFERRAL_STATUSES as readonly string[]).includes(value);
}

/** True if the value is a known partner action. */
export function isReferralAction(value: unknown): value is ReferralAction {
  return typeof value === 'string' && (REFERRAL_ACTIONS as readonly string[]).includes(value);
}

/** The actions a partner may take on a referral in this status. */
export function allowedActions(status: string): ReferralAction[] {
  return isReferralStatus(status) ? (Object.keys(MOVES[status]) as ReferralAction[]) : [];
}

/** The actions that need words: a reason (decline, return), an outcome (complete) or the update itself. */
export function actionNeedsText(action: ReferralAction): 'reason' | 'outcome' | 'update' | null {
  if (action === 'decline' || action === 'return') return 'reason';
  if (action === 'complete') return 'outcome';
  if (action === 'update') return 'update';
  return null;
}

/** The status an action leads to, or a refusal naming the allowed actions. */
export function moveReferral(status: string, action: string): { ok: true; to: ReferralStatus } | { ok: false; message: string } {
  if (!isReferralAction(action)) return { ok: false, message: 'Choose what to do with the referral' };
  const to = isReferralStatus(status) ? MOVES[status][action] : undefined;
  if (to) return { ok: true, to };
  const allowed = allowedActions(status).map((a) => REFERRAL_ACTION_LABELS[a].toLowerCase());
  const label = isReferralStatus(status) ? REFERRAL_STATUS_LABELS[status].toLowerCase() : status;
  return { ok: false, message: `A referral that is ${label} cannot be given this action (${REFERRAL_ACTION_LABELS[action].toLowerCase()}).${allowed.length ? ` It can be: ${allowed.join(', ')}.` : ' It is finished.'}` };
}

/** True while the referral is with the agency and not finished (sent, acknowledged, accepted, in progress). */
export function isReferralOpen(status: string): boolean {
  return status === 'sent' || status === 'acknowledged' || status === 'accepted' || status === 'in_progress';
}

/** True while the agency has taken the referral on (accepted or in progress). */
export function isReferralAccepted(status: string): boolean {
  return status === 'accepted' || status === 'in_progress';
}

/**
 * The case status the referrals of a case imply, or null to leave the case as it is: with_partner while any is
 * accepted and open; referred while any waits for the agency; otherwise open after a decline or return, resolved
 * after a completion.
 */
export function caseStatusFor(statuses: readonly string[], lastAction: ReferralAction | 'refer'): 'with_partner' | 'referred' | 'open' | 'resolved' | null {
  if (statuses.some(isReferralAccepted)) return 'with_partner';
  if (statuses.some(isReferralOpen)) return 'referred';
  if (lastAction === 'decline' || lastAction === 'return') return 'open';
  if (lastAction === 'complete') return 'resolved';
  return null;
}

/** Agency targets in working days. */
export interface ReferralTargets {
  acknowledgeWorkingDays: number;
  completeWorkingDays: number;
}

/** The acknowledge and complete due times of a referral sent at `sentAt`. */
export function referralDueTimes(sentAt: number, targets: ReferralTargets, calendar: WorkingCalendar): { acknowledgeDueAt: number; completeDueAt: number } {
  return { acknowledgeDueAt: addWorkingDays(sentAt, targets.acknowledgeWorkingDays, calendar), completeDueAt: addWorkingDays(sentAt, targets.completeWorkingDays, calendar) };
}

/** The parts of a referral that decide whether it is overdue. */
export interface ReferralClock {
  status: string;
  acknowledgeDueAt: number;
  completeDueAt: number;
}

/** Which target a referral is working to now: acknowledge until acknowledged, then complete; none once finished. */
export function referralTarget(r: ReferralClock): { name: 'acknowledge' | 'complete'; dueAt: number } | null {
  if (r.status === 'sent') return { name: 'acknowledge', dueAt: r.acknowledgeDueAt };
  if (isReferralOpen(r.status)) return { name: 'complete', dueAt: r.completeDueAt };
  return null;
}

/** True when the referral has passed the due time of the target it is working to (at the due time itself too). */
export function isReferralOverdue(r: ReferralClock, now: number): boolean {
  const target = referralTarget(r);
  return !!target && now >= target.dueAt;
}

/** The due time in words, e.g. "Acknowledge: overdue by 3 hours" or "Complete: due in 12 days". */
export function referralDueWords(r: ReferralClock, calendar: WorkingCalendar, now: number): DueWords {
  const target = referralTarget(r);
  if (!target) return { words: 'Finished', tone: 'none' };
  const d = dueWords(target.dueAt, calendar, now);
  const words = d.words.charAt(0).toLowerCase() + d.words.slice(1);
  return { words: `${target.name === 'acknowledge' ? 'Acknowledge' : 'Complete'}: ${words}`, tone: d.tone };
}

/** The words of each event in a referral's history as its agency sees it. */
const HISTORY_LABELS: Record<string, string> = {
  'referral.sent': 'Referral sent', 'referral.acknowledged': 'Acknowledged', 'referral.accepted': 'Accepted', 'referral.declined': 'Declined',
  'referral.update': 'Update', 'referral.completed': 'Completed', 'referral.returned': 'Returned to the partnership', 'referral.withdrawn': 'Withdrawn by the partnership',
  'referral.delivered': 'Sent by Open311', 'referral.delivery_failed': 'Open311 delivery failed',
  'referral.escalated': 'Not acknowledged in time: the partnership\'s triage team was told',
  'referral.update.released': 'Your update for the reporter was passed on to them', 'referral.update.withheld': 'Your update for the reporter was not passed on to them',
};

/** The words of a history entry; an event without its own (a new kind) says only that the partnership recorded something, never its code. */
export function referralHistoryLabel(action: string): string {
  return HISTORY_LABELS[action] ?? 'Recorded by the partnership';
}
