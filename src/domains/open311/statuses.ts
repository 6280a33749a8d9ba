/**
 * Case statuses in Open311 words: the core `open`/`closed`, and the FixMyStreet extended statuses
 * (perllib/Open311.pm) that FixMyStreet-integrated councils understand. Pure.
 */
import { FINISHED_STATUSES, type CaseStatus } from '../cases/workflow.ts';

/** The FixMyStreet extended statuses. */
export const EXTENDED_STATUSES = ['OPEN', 'INVESTIGATING', 'IN_PROGRESS', 'ACTION_SCHEDULED', 'FIXED', 'DUPLICATE', 'NOT_COUNCILS_RESPONSIBILITY', 'NO_FURTHER_ACTION', 'INTERNAL_REFERRAL', 'FOR_TRIAGE', 'CLOSED', 'CANCELLED', 'REOPEN'] as const;

/** One extended status. */
export type ExtendedStatus = (typeof EXTENDED_STATUSES)[number];

/** The core Open311 status of a case status: resolved and closed are `closed`, everything else `open`. */
export function coreStatus(status: string): 'open' | 'closed' {
  return (FINISHED_STATUSES as readonly string[]).includes(status) ? 'closed' : 'open';
}

/** The outcome of a finished case as an extended status. */
const OUTCOMES: Record<string, ExtendedStatus> = {
  action_taken: 'FIXED',
  advice_given: 'CLOSED',
  no_further_action: 'NO_FURTHER_ACTION',
  duplicate: 'DUPLICATE',
  redirected_emergency: 'NOT_COUNCILS_RESPONSIBILITY',
  out_of_scope: 'NOT_COUNCILS_RESPONSIBILITY',
  withdrawn: 'CANCELLED',
  spam: 'CLOSED',
};

/** The extended status of a case status (and its outcome, once finished). */
export function extendedStatus(status: string, resolutionCode?: string | null): ExtendedStatus {
  switch (status as CaseStatus) {
    case 'new':
      return 'FOR_TRIAGE';
    case 'open':
    case 'awaiting_reporter':
      return 'INVESTIGATING';
    case 'referred':
      return 'INTERNAL_REFERRAL';
    case 'with_partner':
      return 'IN_PROGRESS';
    case 'resolved':
    case 'closed':
      return (resolutionCode && OUTCOMES[resolutionCode]) || (status === 'resolved' ? 'FIXED' : 'CLOSED');
    default:
      return 'OPEN';
  }
}
