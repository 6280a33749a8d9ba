/** Alerts: the public entry of the domain (area subscriptions by e-mail, double opt-in, weekly digest, upkeep). */
export * from './subscriptions.ts';
export * from './digest.ts';
export * from './week.ts';
export * from './forms.ts';
