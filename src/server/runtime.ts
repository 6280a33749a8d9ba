/**
 * The process runtime: validate settings, open and migrate the database, sync configuration, load the sample
 * postcodes into an empty postcode table and read it into memory, load demo data into an empty database, start the outbox worker and housekeeping; and stop them again.
 * The server module (src/server/entry.ts) boots it before listening; in `astro dev` the middleware boots
 * it on the first request (ensureRuntime).
 */
import { closeDatabase, getDatabase, migrateDatabase, openDatabase } from '../platform/db/client.ts';
import { users } from '../platform/db/schema.ts';
import { getEnv, type Env } from '../platform/config/env.ts';
import { loadSiteConfig, type SiteConfig } from '../platform/config/partnership.ts';
import { syncConfigToDatabase } from '../platform/config/sync.ts';
import { log } from '../platform/log.ts';
import { createMailTransport } from '../platform/mail/transport.ts';
import { OutboxWorker } from '../platform/mail/outbox.ts';
import { purgeConsultationDrafts, purgeMeetingRegistrations, purgeUnconfirmedResponses, sendMeetingReminders } from '../domains/consultations/index.ts';
import { JobScheduler } from '../platform/jobs.ts';
import { publishDueItems } from '../domains/publishing/index.ts';
import { loadSigningKey } from '../platform/security/signing.ts';
import { loadRoles } from '../domains/identity/roles.ts';
import { loadLocales } from '../platform/i18n/index.ts';
import { configureSecretKey } from '../domains/identity/totp.ts';
import { purgeRateLimits } from '../platform/security/rate-limit.ts';
import { purgeDrafts } from '../domains/reports/drafts.ts';
import { anonymiseExpiredCases } from '../domains/cases/retention.ts';
import { closeResolvedCases } from '../domains/cases/auto-close.ts';
import { open311ClientJobs, referralJobs } from '../domains/referrals/index.ts';
import { alertJobs } from '../domains/alerts/index.ts';
import { seedDemo } from './demo.ts';
import { ensureCounts } from '../domains/insight/counts.ts';
import { ensureQueueCounts } from '../domains/cases/queue-counts.ts';
import { flushFlagRefreshes, recoverFlagRefreshes, renewFlagDebt } from '../domains/cases/flag-refresh.ts';
import { ensurePostcodes, loadPostcodeIndex } from '../domains/geography/index.ts';

interface Runtime {
  env: Env;
  config: SiteConfig;
  outbox: OutboxWorker;
}

let runtime: Runtime | undefined;
let booting: Promise<Runtime> | undefined;
let scheduler: JobScheduler | undefined;
let open311Scheduler: JobScheduler | undefined;

/** Start everything once; later calls return the same runtime. */
export async function bootRuntime(options: { seedDemo?: (env: Env, config: SiteConfig) => Promise<void> } = {}): Promise<Runtime> {
  if (runtime) return runtime;
  const env = getEnv();
  const config = loadSiteConfig(env.CONTENT_DIR);
  loadRoles(env.CONTENT_DIR);
  loadLocales(env.CONTENT_DIR);
  configureSecretKey(env.SECRET_KEY, env.DEMO_MODE);
  const database = await openDatabase({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN, timeoutMs: env.DATABASE_TIMEOUT_MS });
  try {
    await database.client.execute('SELECT 1');
  } catch (error) {
    throw new Error(`DATABASE_URL: cannot open ${env.DATABASE_URL} (${(error as Error).message})`, { cause: error });
  }
  await migrateDatabase(database);
  await syncConfigToDatabase(database, config);
  const queueCounts = await ensureQueueCounts();
  if (queueCounts.length) log.info('cases.queue_counts_rebuilt', { groups: queueCounts });
  if (await ensureCounts()) log.info('insight.counts_rebuilt', {});
  if (await ensurePostcodes(env.CONTENT_DIR, config)) log.info('geography.sample_loaded', {});
  await loadPostcodeIndex();
  await loadSigningKey(env.SECRET_KEY);
  if (env.DEMO_MODE && options.seedDemo) {
    const anyUser = await database.db.select({ id: users.id }).from(users).limit(1);
    if (anyUser.length === 0) await options.seedDemo(env, config);
  }
  const outbox = new OutboxWorker({
    transport: createMailTransport({ smtpUrl: env.SMTP_URL, mailDir: env.MAIL_DIR }),
    from: env.MAIL_FROM,
    intervalMs: env.OUTBOX_INTERVAL_MS,
    // Over SMTP a send mostly waits on the network, so lanes overlap the waits; written to files it is the process's
    // own work, which more lanes would only take from the requests.
    concurrency: env.OUTBOX_CONCURRENCY ?? (env.SMTP_URL ? 4 : 1),
    retryBaseMs: Number(process.env.OUTBOX_RETRY_BASE_MS ?? 60_000),
    leaseMs: Number(process.env.OUTBOX_LEASE_MS ?? 60_000),
  });
  outbox.start();
  runtime = { env, config, outbox };
  // Flag refreshes a stopped process still owed (src/domains/cases/flag-recovery.ts): now, and then every minute.
  await recoverFlagRefreshes().catch((error: unknown) => log.warn('case.flags_recovery_failed', { error: String(error) }));
  startMaintenance(config);
  log.info('runtime.ready', { database: redactUrl(env.DATABASE_URL), demo: env.DEMO_MODE, mail: env.SMTP_URL ? 'smtp' : 'files' });
  return runtime;
}

/** The started runtime; throws before boot. */
export function getRuntime(): Runtime {
  if (!runtime) throw new Error('Runtime not started');
  return runtime;
}

/** The partnership configuration. */
export function getConfig(): SiteConfig {
  return getRuntime().config;
}

/**
 * Scheduled jobs, leased in the database so that each runs in one process at a time however many share it.
 * Housekeeping every 10 minutes: expired rate-limit buckets, abandoned drafts, closed cases and calls past
 * retention (anonymised, not under legal hold), and responses never confirmed of consultations that have closed.
 * Closing resolved cases whose reopen window ended, every 10 minutes (src/domains/cases/auto-close.ts). Referrals (src/domains/referrals/escalation.ts): overdue
 * escalation to the triage team every minute, and each agency's daily digest. Scheduled content: every minute.
 * Area alerts (src/domains/alerts/digest.ts): the weekly digests, checked every 15 minutes; upkeep every 10.
 * Flag recovery every minute: the repeat-flag refreshes of a process that stopped without finishing them.
 * The Open311 client, when an agency has an endpoint: deliver referrals and pull updates back (OPEN311_* settings).
 */
function startMaintenance(config: SiteConfig) {
  const housekeeping = async () => {
    await purgeRateLimits();
    await purgeDrafts(config.partnership.retentionDays.drafts * 86_400_000, getRuntime().env.UPLOAD_DIR);
    await anonymiseExpiredCases(config.partnership.retentionDays, getRuntime().env.UPLOAD_DIR);
    await purgeConsultationDrafts(config.partnership.retentionDays.drafts * 86_400_000);
    await purgeUnconfirmedResponses();
    await purgeMeetingRegistrations(30 * 86_400_000);
  };
  const referral = referralJobs({ config, publicUrl: getRuntime().env.PUBLIC_URL });
  const alerts = alertJobs({ areas: config.areas, links: { baseUrl: getRuntime().env.PUBLIC_URL, partnership: config.partnership.name } });
  // Scheduled content is public from its time regardless; this job marks it published and moves the cache generation.
  const publishDue = async () => void (await publishDueItems(Date.now()));
  const reminders = async () => {
    await sendMeetingReminders({ baseUrl: getRuntime().env.PUBLIC_URL, partnership: config.partnership.name });
  };
  scheduler = new JobScheduler([{ name: 'housekeeping', everyMs: 10 * 60_000, run: housekeeping }, { name: 'close-resolved', everyMs: 10 * 60_000, run: async (now) => void (await closeResolvedCases(now)) }, ...referral, { name: 'publish-scheduled', everyMs: 60_000, run: publishDue }, { name: 'meeting-reminders', everyMs: 15 * 60_000, run: reminders }, { name: 'flag-recovery', everyMs: 60_000, run: async () => void (await recoverFlagRefreshes()) }, ...alerts], { tickMs: 60_000 });
  scheduler.start();
  // The Open311 client (src/domains/referrals/open311-delivery.ts): its own tick, so that deliveries need not wait a minute.
  const env = getRuntime().env;
  const open311Settings = () => ({
    config, targets: config.targets, reopenWindowDays: config.partnership.reopenWindowDays, partnership: config.partnership.name, publicUrl: env.PUBLIC_URL,
    env: process.env, timeoutMs: env.OPEN311_TIMEOUT_MS, retryBaseMs: env.OPEN311_RETRY_BASE_MS, leaseMs: Math.max(60_000, 3 * env.OPEN311_TIMEOUT_MS),
  });
  for (const a of config.agencies) {
    if (a.open311 && !process.env[a.open311.apiKeyEnv]) log.warn('open311.key_missing', { agency: a.id, variable: a.open311.apiKeyEnv });
  }
  if (config.agencies.some((a) => a.open311)) {
    open311Scheduler = new JobScheduler(open311ClientJobs(open311Settings, { deliverEveryMs: env.OPEN311_DELIVERY_INTERVAL_MS, updatesEveryMs: env.OPEN311_UPDATES_INTERVAL_MS }), {
      tickMs: Math.min(env.OPEN311_DELIVERY_INTERVAL_MS, env.OPEN311_UPDATES_INTERVAL_MS),
    });
    open311Scheduler.start();
  }
}

function redactUrl(url: string) {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

/** Boot once, with demo data when DEMO_MODE is on; concurrent callers share the same start-up. */
export function ensureRuntime(): Promise<Runtime> {
  if (runtime) return Promise.resolve(runtime);
  booting ??= bootRuntime({ seedDemo }).catch((error: unknown) => {
    booting = undefined;
    throw error;
  });
  return booting;
}

/** Stop the scheduled jobs and the outbox (giving back their leases), finish pending flag refreshes, let queued writes finish, and close the database. */
export async function stopRuntime(): Promise<void> {
  try {
    await Promise.all([scheduler?.stop(), open311Scheduler?.stop()]);
    scheduler = undefined;
    open311Scheduler = undefined;
    await runtime?.outbox.stop();
    // New cases whose repeat flags are still to be worked out get them before the database closes; then nothing is owed.
    await flushFlagRefreshes();
    await renewFlagDebt();
    await getDatabase().writer.idle();
    await closeDatabase();
  } catch (error) {
    log.error('runtime.shutdown_error', { error: String(error) });
  }
  runtime = undefined;
  booting = undefined;
}
