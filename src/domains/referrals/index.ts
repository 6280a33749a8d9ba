/** Referrals to partner agencies: the public entry of the domain (lifecycle, what is shared, actions, documents, updates for the reporter). */
export * from './lifecycle.ts';
export * from './sharing.ts';
export * from './actions.ts';
export * from './escalation.ts';
export * from './export.ts';
export * from './documents.ts';
export * from './release.ts';
