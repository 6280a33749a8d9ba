/**
 * Process start-up and shutdown: validate settings, open and migrate the database, sync configuration,
 * load demo data into an empty database, start the outbox worker, and drain cleanly on SIGTERM.
 */
import { closeDatabase, getDatabase, migrateDatabase, openDatabase } from './db/client.ts';
import { users } from './db/schema.ts';
import { getEnv, type Env } from './config/env.ts';
import { loadSiteConfig, type SiteConfig } from './config/partnership.ts';
import { syncConfigToDatabase } from './config/sync.ts';
import { log } from './log.ts';
import { createMailTransport } from './mail/transport.ts';
import { OutboxWorker } from './outbox.ts';
import { loadSigningKey } from './signing.ts';
import { loadRoles } from './auth/roles.ts';
import { configureSecretKey } from './auth/totp.ts';
import { purgeRateLimits } from './rate-limit.ts';
import { purgeDrafts } from './reports/drafts.ts';
import { disposeClosedCases } from './cases/retention.ts';

interface Runtime {
  env: Env;
  config: SiteConfig;
  outbox: OutboxWorker;
}

let runtime: Runtime | undefined;
let inFlight = 0;
let draining = false;

/** Start everything once; later calls return the same runtime. */
export async function bootRuntime(options: { seedDemo?: (env: Env, config: SiteConfig) => Promise<void> } = {}): Promise<Runtime> {
  if (runtime) return runtime;
  const env = getEnv();
  const config = loadSiteConfig(env.CONTENT_DIR);
  loadRoles(env.CONTENT_DIR);
  configureSecretKey(env.SECRET_KEY, env.DEMO_MODE);
  const database = await openDatabase({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN, timeoutMs: env.DATABASE_TIMEOUT_MS });
  try {
    await database.client.execute('SELECT 1');
  } catch (error) {
    throw new Error(`DATABASE_URL: cannot open ${env.DATABASE_URL} (${(error as Error).message})`);
  }
  await migrateDatabase(database);
  await syncConfigToDatabase(database, config);
  await loadSigningKey(env.SECRET_KEY);
  if (env.DEMO_MODE && options.seedDemo) {
    const anyUser = await database.db.select({ id: users.id }).from(users).limit(1);
    if (anyUser.length === 0) await options.seedDemo(env, config);
  }
  const outbox = new OutboxWorker({
    transport: createMailTransport({ smtpUrl: env.SMTP_URL, mailDir: env.MAIL_DIR }),
    from: env.MAIL_FROM,
    intervalMs: env.OUTBOX_INTERVAL_MS,
    retryBaseMs: Number(process.env.OUTBOX_RETRY_BASE_MS ?? 60_000),
  });
  outbox.start();
  runtime = { env, config, outbox };
  startMaintenance(config);
  installShutdown();
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

/** Count a request in; returns false while shutting down. */
export function requestStarted(): boolean {
  if (draining) return false;
  inFlight++;
  return true;
}

/** Count a request out. */
export function requestFinished() {
  inFlight = Math.max(0, inFlight - 1);
}

/** Housekeeping every 10 minutes: expired rate-limit buckets, abandoned drafts, closed cases past retention. */
function startMaintenance(config: SiteConfig) {
  const run = async () => {
    try {
      await purgeRateLimits();
      await purgeDrafts(config.partnership.retentionDays.drafts * 86_400_000, getRuntime().env.UPLOAD_DIR);
      await disposeClosedCases(config.partnership.retentionDays.closedCases, getRuntime().env.UPLOAD_DIR);
    } catch (error) {
      log.error('maintenance.failed', { error: String(error) });
    }
  };
  setInterval(run, 10 * 60_000).unref();
}

function redactUrl(url: string) {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

function installShutdown() {
  const stop = async (signal: string) => {
    if (draining) return;
    draining = true;
    log.info('runtime.draining', { signal, inFlight });
    const deadline = Date.now() + 10_000;
    while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    try {
      await runtime?.outbox.stop();
      await getDatabase().writer.idle();
      await closeDatabase();
    } catch (error) {
      log.error('runtime.shutdown_error', { error: String(error) });
    }
    log.info('runtime.stopped', { signal });
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
