/** The identity domain's public entry: web glue and pages import staff accounts, sessions, sign-in and two-factor from here. */
export * from './account.ts';
export * from './audit-log.ts';
export * from './password.ts';
export * from './password-reset.ts';
export * from './roles.ts';
export * from './session.ts';
export * from './sign-in.ts';
export * from './totp.ts';
export * from './trusted-device.ts';
export * from './two-factor.ts';
export * from './types.ts';
export * from './user-tokens.ts';
export * from './users.ts';
