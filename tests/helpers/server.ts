/** Start the built server (dist/server/entry.mjs) on a free port with its own database, mail and upload folders. */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** A running test server. */
export interface TestServer {
  url: string;
  port: number;
  dir: string;
  dbUrl: string;
  output: () => string;
  proc: ChildProcess;
  /** Stop the process; its folder is removed unless keepFiles (to start again on it with restartOf) or it is a shareWith process. */
  stop: (signal?: NodeJS.Signals, options?: { keepFiles?: boolean }) => Promise<number | null>;
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

const root = resolve(import.meta.dirname, '../..');

/**
 * True when the process with this pid holds the listening socket on this port, read from Linux's /proc (the socket's
 * inode in /proc/net/tcp and tcp6, among the process's open files); true where /proc cannot tell.
 */
export function listensOn(pid: number, port: number): boolean {
  try {
    const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
    const inodes = new Set<string>();
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        if (cols[1]?.endsWith(hexPort) && cols[3] === '0A') inodes.add(cols[9]!); // 0A: LISTEN
      }
    }
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return inodes.has(/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1] ?? '');
      } catch {
        return false; // closed since the listing
      }
    });
  } catch {
    return true;
  }
}

/** Options for startServer. */
export interface StartOptions {
  /** Resolve when the process exits instead of when it is healthy. */
  expectFailure?: boolean;
  /** Run as a second process of this server: same database file, mail and upload folders (left for the first to remove). */
  shareWith?: TestServer;
  /** Start again on a stopped server's folder (stopped with keepFiles): same database, mail and uploads; this one removes it when stopped. */
  restartOf?: TestServer;
  /** The port to try first (a later try takes a free one): for testing the retry on a taken port. */
  firstPort?: number;
  /** Node and V8 flags before the entry, as `npm run serve` gives them (some V8 flags are refused in NODE_OPTIONS). */
  nodeArgs?: string[];
}

/** Settings that change what a first start writes into an empty database (or which database it is). */
const FIRST_START_SETTINGS = ['DATABASE_URL', 'DEMO_MODE', 'DEMO_CASES', 'CONTENT_DIR', 'SECRET_KEY', 'MIGRATIONS_DIR'];

/**
 * The test command's template database (TEST_DB_TEMPLATE, one per run, see scripts/test.ts) when this start may
 * use it: a new server with the default first-start settings. Without the test command there is none.
 */
function templatePath(env: Record<string, string>, options: StartOptions): string | undefined {
  const path = process.env.TEST_DB_TEMPLATE;
  if (!path || options.shareWith || options.restartOf || options.expectFailure) return undefined;
  return FIRST_START_SETTINGS.some((k) => k in env) ? undefined : path;
}

/**
 * Keep the database a first start has just made (migrated, configuration synced, sample postcodes and demo
 * data loaded: about 0.3 CPU-second of the start) as the run's template, so later servers start on a copy.
 * It is a consistent copy of the live file (VACUUM INTO) without what belongs to one server: its signing key
 * (each server makes its own) and any job leases or run times (each server's jobs run at its first tick).
 */
async function saveTemplate(dbUrl: string, template: string): Promise<void> {
  const { createClient } = await import('@libsql/client');
  const partial = `${template}.${process.pid}.part`;
  const live = createClient({ url: dbUrl });
  try {
    await live.execute({ sql: 'VACUUM INTO ?', args: [partial] });
  } finally {
    live.close();
  }
  const copy = createClient({ url: `file:${partial}` });
  try {
    await copy.batch(["DELETE FROM meta WHERE key = 'signing_key' OR key LIKE 'flag_refresh:%'", 'DELETE FROM jobs'], 'write');
  } finally {
    copy.close();
  }
  // Servers starting at the same moment may each make one: the rename makes whichever comes last the template, whole.
  renameSync(partial, template);
}

/** How many times a start tries another port when the one it was given is taken before the server binds it. */
const PORT_ATTEMPTS = 5;

/**
 * Start a server; extra env overrides the defaults. Resolves when /healthz answers 200 from this server. The free
 * port is only free when asked: another process (or an outgoing connection's ephemeral port) can take it before the
 * server binds it, so a start that exits with EADDRINUSE, or whose port another process answers on, is tried again on
 * a new port.
 */
export async function startServer(env: Record<string, string> = {}, options: StartOptions = {}, attempt = 1): Promise<TestServer> {
  const dir = options.shareWith?.dir ?? options.restartOf?.dir ?? mkdtempSync(join(tmpdir(), 'saferline-test-'));
  const port = attempt === 1 && options.firstPort ? options.firstPort : await freePort();
  const dbUrl = `file:${join(dir, 'saferline.db')}`;
  const template = templatePath(env, options);
  const fromTemplate = template !== undefined && existsSync(template);
  if (fromTemplate) copyFileSync(template, join(dir, 'saferline.db'));
  const url = `http://127.0.0.1:${port}`;
  let out = '';
  const proc = spawn(process.execPath, [...(options.nodeArgs ?? []), process.env.TEST_SERVER_ENTRY ?? 'dist/server/entry.mjs'], {
    cwd: root,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: dbUrl,
      MAIL_DIR: join(dir, 'mail'),
      UPLOAD_DIR: join(dir, 'uploads'),
      PUBLIC_URL: url,
      LOG_LEVEL: 'warn',
      OUTBOX_INTERVAL_MS: '100',
      OUTBOX_RETRY_BASE_MS: '200',
      ASTRO_NODE_LOGGING: 'disabled',
      DEMO_MODE: 'true',
      DEMO_CASES: 'false',
      // The test command sets SERVER_V8_COVERAGE for the integration tier: servers write coverage, not the tests;
      // without Node's compile cache, which can make coverage less precise (scripts/test.ts).
      ...(process.env.SERVER_V8_COVERAGE ? { NODE_V8_COVERAGE: process.env.SERVER_V8_COVERAGE, NODE_COMPILE_CACHE: undefined } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
  const server: TestServer = {
    url,
    port,
    dir,
    dbUrl,
    proc,
    output: () => out,
    // SIGTERM lets the server drain and exit normally, which is also when it writes its V8 coverage
    // (NODE_V8_COVERAGE, see scripts/coverage.ts); a server still running 10 s later is killed.
    stop: async (signal = 'SIGTERM', stopOptions = {}) => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      if (!options.shareWith && !stopOptions.keepFiles) rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
  if (options.expectFailure) {
    let timer: NodeJS.Timeout | undefined;
    // The timer is cleared once the process exits: a pending one would keep the test process alive for its minute.
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 60_000)))]).finally(() => clearTimeout(timer));
    if (code === 'timeout') {
      await server.stop('SIGKILL');
      throw new Error('server did not stop');
    }
    return server;
  }
  // Generous: with coverage on (NODE_V8_COVERAGE) and a busy machine, start-up can take tens of seconds.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) {
      if (out.includes('EADDRINUSE') && attempt < PORT_ATTEMPTS) {
        if (!options.shareWith && !options.restartOf) rmSync(dir, { recursive: true, force: true });
        return startServer(env, options, attempt + 1);
      }
      throw new Error(`server exited (${proc.exitCode}): ${out}`);
    }
    try {
      // With a time limit: whatever else holds the port (see above) may take the request and never answer.
      const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      // Another server that took the port first answers too, while this one is still starting (and will then exit
      // with EADDRINUSE): only an answer from a socket this process holds counts.
      if (r.status === 200 && !listensOn(proc.pid!, port)) {
        if (attempt >= PORT_ATTEMPTS) throw new Error(`port ${port} is another process's`);
        proc.kill('SIGKILL');
        await exited;
        if (!options.shareWith && !options.restartOf) rmSync(dir, { recursive: true, force: true });
        return startServer(env, options, attempt + 1);
      }
      if (r.status === 200) {
        if (template && !fromTemplate && !existsSync(template)) await saveTemplate(dbUrl, template);
        return server;
      }
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await server.stop('SIGKILL');
  throw new Error(`server did not become healthy: ${out}`);
}
