/** Start the built server (dist/server/entry.mjs) on a free port with its own database, mail and upload folders. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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

/** Options for startServer. */
export interface StartOptions {
  /** Resolve when the process exits instead of when it is healthy. */
  expectFailure?: boolean;
  /** Run as a second process of this server: same database file, mail and upload folders (left for the first to remove). */
  shareWith?: TestServer;
  /** Start again on a stopped server's folder (stopped with keepFiles): same database, mail and uploads; this one removes it when stopped. */
  restartOf?: TestServer;
}

/** Start a server; extra env overrides the defaults. Resolves when /healthz answers 200. */
export async function startServer(env: Record<string, string> = {}, options: StartOptions = {}): Promise<TestServer> {
  const dir = options.shareWith?.dir ?? options.restartOf?.dir ?? mkdtempSync(join(tmpdir(), 'saferline-test-'));
  const port = await freePort();
  const dbUrl = `file:${join(dir, 'saferline.db')}`;
  const url = `http://127.0.0.1:${port}`;
  let out = '';
  const proc = spawn(process.execPath, [process.env.TEST_SERVER_ENTRY ?? 'dist/server/entry.mjs'], {
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
    if (proc.exitCode !== null) throw new Error(`server exited (${proc.exitCode}): ${out}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.status === 200) return server;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await server.stop('SIGKILL');
  throw new Error(`server did not become healthy: ${out}`);
}
