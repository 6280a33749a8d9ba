/** The vocabulary of hotline calls: why people ring, and the wrap-up (outcome) codes each reason allows. */

/** Why the caller rang, in the order the call screen offers them. */
export const CALL_REASONS = [
  { value: 'new-report', label: 'New report', hint: 'Log a concern as a new case, with the same questions as the web form' },
  { value: 'case-info', label: 'About an existing case', hint: 'The caller gives more information or asks for progress' },
  { value: 'info-request', label: 'Information request', hint: 'Answer from the published advice pages' },
  { value: 'feedback', label: 'Feedback or complaint', hint: 'Logged as feedback in the same queue' },
  { value: 'consultation', label: 'Consultation response', hint: 'The caller answers an open consultation: open its survey and key in their answers' },
  { value: 'signposted', label: 'Signposted elsewhere', hint: '999, 101 or another service' },
  { value: 'silent', label: 'Silent or abandoned', hint: 'No conversation took place' },
] as const;

/** One call reason. */
export type CallReason = (typeof CALL_REASONS)[number]['value'];

/** Every reason value. */
export const REASON_VALUES: readonly CallReason[] = CALL_REASONS.map((r) => r.value);

/** Wrap-up codes with their words. */
export const CALL_OUTCOMES = {
  'case-created': 'Case created',
  'case-created-urgent': 'Case created and flagged to triage as urgent',
  'information-added': 'Information added to the case',
  'progress-given': 'Progress update given',
  'advice-given': 'Advice given from the published pages',
  'question-answered': 'Question answered without an advice page',
  'feedback-logged': 'Feedback or complaint logged',
  'signposted-999': 'Told to ring 999',
  'signposted-101': 'Told to ring 101 (police non-emergency)',
  'signposted-other': 'Signposted to another service',
  'consultation-response': 'Consultation response keyed in',
  'callback-needed': 'Callback needed',
  silent: 'Silent call',
  abandoned: 'Caller hung up or the call dropped',
  'wrong-number': 'Wrong number or hoax',
} as const;

/** One outcome code. */
export type CallOutcome = keyof typeof CALL_OUTCOMES;

/** Every outcome code. */
export const OUTCOME_VALUES = Object.keys(CALL_OUTCOMES) as CallOutcome[];

/** The outcomes each reason allows, first the usual one. */
export const REASON_OUTCOMES: Record<CallReason, readonly CallOutcome[]> = {
  'new-report': ['case-created', 'case-created-urgent', 'callback-needed'],
  'case-info': ['information-added', 'progress-given', 'callback-needed'],
  'info-request': ['advice-given', 'question-answered', 'callback-needed'],
  feedback: ['feedback-logged', 'callback-needed'],
  consultation: ['consultation-response', 'callback-needed'],
  signposted: ['signposted-999', 'signposted-101', 'signposted-other'],
  silent: ['silent', 'abandoned', 'wrong-number'],
};

/** Reasons whose call creates a new case. */
export const CASE_CREATING_REASONS: readonly CallReason[] = ['new-report', 'feedback'];

/** Feedback kinds, as in the web feedback form. */
export const FEEDBACK_TYPES = [
  { value: 'feedback', label: 'Feedback or a suggestion' },
  { value: 'compliment', label: 'A compliment' },
  { value: 'complaint', label: 'A complaint about our service' },
] as const;

/** Words for a reason value (the value itself when unknown). */
export function reasonLabel(value: string): string {
  return CALL_REASONS.find((r) => r.value === value)?.label ?? value;
}

/** Words for an outcome code (the code itself when unknown). */
export function outcomeLabel(value: string): string {
  return (CALL_OUTCOMES as Record<string, string>)[value] ?? value;
}

/** True when the value is a known reason. */
export function isCallReason(value: unknown): value is CallReason {
  return typeof value === 'string' && (REASON_VALUES as readonly string[]).includes(value);
}
