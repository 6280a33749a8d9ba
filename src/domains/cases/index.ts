/** The cases domain's public entry: web glue and pages import case actions, the queue, timers, workflow and the case page's read model from here. */
export * from './actions.ts';
export * from './case-view.ts';
export * from './detect.ts';
export * from './flag-refresh.ts';
export * from './legal-hold.ts';
export * from './owners.ts';
export * from './policy.ts';
export * from './priority.ts';
export * from './queue.ts';
export * from './tags.ts';
export * from './templates.ts';
export * from './thresholds.ts';
export * from './timers.ts';
export * from './views.ts';
export * from './workflow.ts';
