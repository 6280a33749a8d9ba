/** Demo data for the fictional Hollowmere partnership: one user per role (see README "Demo accounts") and published content, loaded into an empty database. */
import type { Env } from '../platform/config/env.ts';
import type { SiteConfig } from '../platform/config/partnership.ts';
import { getDatabase, toStatement } from '../platform/db/client.ts';
import { users } from '../platform/db/schema.ts';
import { auditStatement } from '../platform/audit.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_KEY } from '../domains/identity/demo-accounts.ts';
import { hashPassword } from '../domains/identity/password.ts';
import { isTwoFactorRequired } from '../domains/identity/roles.ts';
import { encryptTotpKey, parseTotpKey } from '../domains/identity/totp.ts';
import { newUserStatement } from '../domains/identity/users.ts';
import { log } from '../platform/log.ts';
import { eq } from 'drizzle-orm';
import { createCase } from '../domains/reports/submit.ts';
import { seedDemoPublishing } from './demo-publishing.ts';
import { seedDemoConsultations } from './demo-consultations.ts';
import { seedDemoPerception } from './demo-insight.ts';
import { seedDemoHistory } from './demo-history.ts';

/** Load demo data. Only called when DEMO_MODE is on and there are no users yet. */
export async function seedDemo(env: Env, config: SiteConfig, now = Date.now()): Promise<void> {
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
  await seedDemoPublishing(now);
  if (env.DEMO_CASES) {
    await seedDemoHistory(env, config, now);
    await seedDemoCases(env, config, now);
    await seedDemoConsultations(config, { baseUrl: env.PUBLIC_URL, partnership: config.partnership.name }, now);
    await seedDemoPerception(config, { baseUrl: env.PUBLIC_URL, partnership: config.partnership.name }, now);
  }
  log.warn('demo.seeded', { users: DEMO_ACCOUNTS.length, message: 'Demo accounts are active (see README "Demo accounts"). Never run a live service with DEMO_MODE on.' });
}

const DEMO_REPORTS: { category: string; ward: string; text: string; privacy: 'named' | 'confidential' | 'anonymous'; channel: 'web' | 'phone'; daysAgo: number; place?: string }[] = [
  { category: 'noise', ward: 'mill-lane', text: 'Loud music from the flat above until 3am most weekends.', privacy: 'named', channel: 'web', daysAgo: 1 },
  { category: 'vandalism', ward: 'eastmere-harbour', text: 'Bus shelter glass smashed again on Quayside.', privacy: 'anonymous', channel: 'web', daysAgo: 2, place: 'Quayside bus shelter' },
  { category: 'fly-tipping', ward: 'carrow-heath', text: 'Mattresses and bags of rubbish dumped by the gate to the common.', privacy: 'named', channel: 'phone', daysAgo: 2, place: 'Heath Lane' },
  { category: 'youth-nuisance', ward: 'brackenford-central', text: 'Group of about ten gathering in Market Square every evening, shouting at passers-by.', privacy: 'confidential', channel: 'web', daysAgo: 3 },
  { category: 'drug-dealing', ward: 'northgate', text: 'Cars stopping for a minute at the end of Northgate Road several times an hour.', privacy: 'anonymous', channel: 'web', daysAgo: 4 },
  { category: 'asb-personal', ward: 'saltings', text: 'Neighbour keeps shouting abuse at my children and banging on the wall.', privacy: 'confidential', channel: 'phone', daysAgo: 5 },
  { category: 'vehicle-nuisance', ward: 'lydgate', text: 'Off-road bikes racing across the playing field near Lydgate Bridge.', privacy: 'named', channel: 'web', daysAgo: 6 },
  { category: 'street-drinking', ward: 'thornwick-town', text: 'Drinking and litter outside the church on Church Street every afternoon.', privacy: 'named', channel: 'web', daysAgo: 8 },
  { category: 'hate-incident', ward: 'redcliff', text: 'Graffiti with racist words painted on the wall of the community centre.', privacy: 'confidential', channel: 'web', daysAgo: 9 },
  { category: 'fire-risk', ward: 'windle', text: 'Bins set alight twice this week behind the shops on Windle Green.', privacy: 'named', channel: 'phone', daysAgo: 10 },
  { category: 'noise', ward: 'fenwick-park', text: 'Dog barking all day while the owners are out.', privacy: 'named', channel: 'web', daysAgo: 12 },
  { category: 'other', ward: 'ashcombe', text: 'Street lights out along Ashcombe Rise, people feel unsafe walking home.', privacy: 'named', channel: 'web', daysAgo: 15 },
];

/** A dozen fictional reports so the queue, tracking and figures have something to show. */
async function seedDemoCases(env: Env, config: SiteConfig, now: number) {
  const names = ['Priya Marsh', 'Dan Okafor', 'Eileen Brook', 'Sam Whitlow', 'Ravi Anand', 'Kate Fenn'];
  for (const [i, r] of DEMO_REPORTS.entries()) {
    const name = names[i % names.length]!;
    await createCase(
      {
        kind: 'report',
        channel: r.channel,
        categoryId: r.category,
        description: r.text,
        whenKind: 'ongoing',
        whenText: 'Over the last few weeks',
        wardId: r.ward,
        locationText: r.place ?? null,
        whoAffected: 'household',
        happenedBefore: 'yes',
        privacy: r.privacy,
        consentShare: r.privacy === 'named',
        reporter: r.privacy === 'anonymous' ? null : { name, email: `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@example.com`, phoneE164: `+447700900${String(100 + i).padStart(3, '0')}`, preferredContact: 'email' },
        idempotencyKey: `demo:${i}`,
      },
      { config, actor: { kind: 'system' }, publicUrl: env.PUBLIC_URL },
      now - r.daysAgo * 86_400_000 - i * 3_600_000,
    );
  }
}
