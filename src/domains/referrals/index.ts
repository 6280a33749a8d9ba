/** Referrals to partner agencies: the public entry of the domain (lifecycle, what is shared, actions, documents, updates for the reporter, the Open311 client's delivery and updates). */
export * from './lifecycle.ts';
export * from './sharing.ts';
export * from './actions.ts';
export * from './escalation.ts';
export * from './export.ts';
export * from './documents.ts';
export * from './release.ts';
export * from './open311-delivery.ts';
