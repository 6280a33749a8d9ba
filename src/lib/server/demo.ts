/** Demo data for the fictional Hollowmere partnership: one user per role (see README "Demo accounts"), loaded into an empty database. */
import type { Env } from './config/env.ts';
import type { SiteConfig } from './config/partnership.ts';
import { getDatabase, toStatement } from './db/client.ts';
import { users } from './db/schema.ts';
import { auditStatement } from './audit.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_KEY } from './auth/demo-accounts.ts';
import { hashPassword } from './auth/password.ts';
import { isTwoFactorRequired } from './auth/roles.ts';
import { encryptTotpKey, parseTotpKey } from './auth/totp.ts';
import { newUserStatement } from './auth/users.ts';
import { log } from './log.ts';
import { eq } from 'drizzle-orm';

/** Load demo data. Only called when DEMO_MODE is on and there are no users yet. */
export async function seedDemo(_env: Env, _config: SiteConfig, now = Date.now()): Promise<void> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const totpKey = parseTotpKey(DEMO_TOTP_KEY);
  const db = getDatabase().db;
  const stmts = [];
  for (const account of DEMO_ACCOUNTS) {
    const { user, statement } = await newUserStatement({ ...account, passwordHash }, now);
    stmts.push(statement);
    if (isTwoFactorRequired(account.role)) {
      stmts.push(toStatement(db.update(users).set({ totpKey: encryptTotpKey(totpKey), totpEnabledAt: now, recoveryCodes: [] }).where(eq(users.id, user.id))));
    }
    stmts.push(auditStatement({ kind: 'system' }, 'user.created', { kind: 'user', id: user.id }, { email: user.email, role: user.role, demo: true }, now));
  }
  await getDatabase().writer.batch(stmts);
  log.warn('demo.seeded', { users: DEMO_ACCOUNTS.length, message: 'Demo accounts are active (see README "Demo accounts"). Never run a live service with DEMO_MODE on.' });
}
