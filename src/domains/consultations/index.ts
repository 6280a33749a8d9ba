/** Consultations: surveys on the question engine, responses by every channel, results, meetings. */
export * from './lifecycle.ts';
export * from './survey.ts';
export * from './responses.ts';
export * from './results.ts';
export * from './meetings.ts';
export * from './forms.ts';
export * from './policy.ts';
