/** Triage questions (risk, vulnerability, repeat, hate motivation) and the priority P1 to P4 they give. */

/** A priority code, most urgent first. */
export type Priority = 'P1' | 'P2' | 'P3' | 'P4';

/** All priorities, most urgent first. */
export const PRIORITIES: readonly Priority[] = ['P1', 'P2', 'P3', 'P4'];

/** The answers an officer gives at triage. */
export interface TriageAnswers {
  /** Risk of harm: none, some (could escalate), high (harm likely soon or happening). */
  risk: 'none' | 'some' | 'high';
  /** Is anyone involved vulnerable (age, disability, mental health, isolation)? */
  vulnerable: 'yes' | 'no';
  /** Has this happened to the same person or place before? */
  repeat: 'yes' | 'no';
  /** Is it believed to be motivated by hate? */
  hate: 'yes' | 'no';
}

/** The triage questions with their options, for forms. */
export const TRIAGE_QUESTIONS = [
  { name: 'risk', legend: 'Is there a risk of harm?', options: [
    { value: 'none', label: 'No known risk of harm' },
    { value: 'some', label: 'Some risk: it could escalate' },
    { value: 'high', label: 'High risk: harm is likely soon or happening' },
  ] },
  { name: 'vulnerable', legend: 'Is anyone involved vulnerable?', hint: 'For example because of age, disability, mental health or isolation', options: [
    { value: 'yes', label: 'Yes' },
    { value: 'no', label: 'No' },
  ] },
  { name: 'repeat', legend: 'Has this happened to the same person or place before?', options: [
    { value: 'yes', label: 'Yes' },
    { value: 'no', label: 'No' },
  ] },
  { name: 'hate', legend: 'Is it believed to be motivated by hate?', options: [
    { value: 'yes', label: 'Yes' },
    { value: 'no', label: 'No' },
  ] },
] as const;

/** True if the value is a priority code. */
export function isPriority(value: unknown): value is Priority {
  return value === 'P1' || value === 'P2' || value === 'P3' || value === 'P4';
}

/** Read triage answers from form fields; returns the answers or the names of missing questions. */
export function parseTriageAnswers(input: Record<string, unknown>): { ok: true; answers: TriageAnswers } | { ok: false, missing: string[] } {
  const missing: string[] = [];
  const pick = <T extends string>(name: string, allowed: readonly T[]): T => {
    const v = input[name];
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    missing.push(name);
    return allowed[0]!;
  };
  const answers: TriageAnswers = {
    risk: pick('risk', ['none', 'some', 'high'] as const),
    vulnerable: pick('vulnerable', ['yes', 'no'] as const),
    repeat: pick('repeat', ['yes', 'no'] as const),
    hate: pick('hate', ['yes', 'no'] as const),
  };
  return missing.length ? { ok: false, missing } : { ok: true, answers };
}

/**
 * The priority for a set of answers and the category's default.
 * High risk, or some risk with vulnerability or hate motivation, is P1. Some risk, vulnerability,
 * repeat or hate motivation is at least P2. Otherwise the category default (P3 or P4) stands.
 * The answers only ever make a case more urgent than its category default, never less.
 */
export function priorityFor(answers: TriageAnswers, categoryDefault: string | null | undefined = 'P3'): Priority {
  let fromAnswers: Priority = 'P4';
  if (answers.risk === 'high') fromAnswers = 'P1';
  else if (answers.risk === 'some' && (answers.vulnerable === 'yes' || answers.hate === 'yes')) fromAnswers = 'P1';
  else if (answers.risk === 'some' || answers.vulnerable === 'yes' || answers.repeat === 'yes' || answers.hate === 'yes') fromAnswers = 'P2';
  const base: Priority = isPriority(categoryDefault) ? categoryDefault : 'P3';
  return mostUrgent(fromAnswers, base);
}

/** The more urgent of two priorities. */
export function mostUrgent(a: Priority, b: Priority): Priority {
  return PRIORITIES.indexOf(a) <= PRIORITIES.indexOf(b) ? a : b;
}

/** The high priorities: the tasking list's "open P1 and P2 cases". */
export const HIGH_PRIORITIES = ['P1', 'P2'] as const;

/** The priority filter's value for the high priorities together (the tasking list's high-priority lines). */
export const HIGH_PRIORITY = 'high';

/** The priorities a priority filter matches: the high ones for HIGH_PRIORITY, else the one it names. */
export function priorityValues(priority: string): string[] {
  return priority === HIGH_PRIORITY ? [...HIGH_PRIORITIES] : [priority];
}

/** The SQL condition of a priority filter on a column: `column IN (?, ...)` with the priorities it matches. */
export function priorityCondition(column: string, priority: string): { clause: string; args: string[] } {
  const args = priorityValues(priority);
  return { clause: `${column} IN (${args.map(() => '?').join(', ')})`, args };
}
