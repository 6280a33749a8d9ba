/** The reports domain's public entry: web glue and pages import the resident journey, drafts, photos, submission and tracking from here. */
export * from './answers.ts';
export * from './drafts.ts';
export * from './equality.ts';
export * from './journey.ts';
export * from './photos.ts';
export * from './questions.ts';
export * from './reference.ts';
export * from './submit.ts';
export * from './summary.ts';
export * from './track.ts';
