/**
 * `npm run dev` works: `astro dev` (as the npm script runs it, on this Node) serves the home page, the report
 * start page and staff sign-in with 200, booting the runtime on a database, mail and upload folder of its own.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { freePort } from '../helpers/server.ts';

const root = resolve(import.meta.dirname, '../..');
let dir: string;
let dev: ChildProcess;
let exited: Promise<void>;
let base: string;
let output = '';

/** Stop the dev server and everything it started (it leads its own process group): SIGTERM, then SIGKILL after 10 s. */
async function stopDevServer(): Promise<void> {
  if (!dev?.pid || dev.exitCode !== null || dev.signalCode !== null) return;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-dev.pid!, signal);
    } catch {
      /* already gone */
    }
  };
  signalGroup('SIGTERM');
  const timer = setTimeout(() => signalGroup('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Wait until the dev server answers any HTTP request (Vite compiles on demand: on a busy machine the first answer takes a minute). */
async function waitForAnswer(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (dev.exitCode !== null) throw new Error(`astro dev exited (${dev.exitCode}): ${output}`);
    try {
      await (await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(120_000) })).arrayBuffer();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`astro dev did not answer within ${timeoutMs} ms: ${output}`);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'saferline-dev-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ASTRO_DEV_BACKGROUND: '0', // as `npm run dev` sets it: stay in the foreground
    ASTRO_TELEMETRY_DISABLED: '1',
    DATABASE_URL: `file:${join(dir, 'saferline.db')}`,
    MAIL_DIR: join(dir, 'mail'),
    UPLOAD_DIR: join(dir, 'uploads'),
    PUBLIC_URL: base,
    LOG_LEVEL: 'warn',
    DEMO_MODE: 'true',
    DEMO_CASES: 'false',
  };
  // Coverage is measured on the built server; Vite's transformed modules would not map back to src/.
  delete env.NODE_V8_COVERAGE;
  delete env.NODE_ENV;
  // --ignore-lock: start alongside a developer's own `npm run dev` in this folder, and leave its lock file alone.
  dev = spawn(process.execPath, ['node_modules/astro/bin/astro.mjs', 'dev', '--host', '127.0.0.1', '--port', String(port), '--ignore-lock'], {
    cwd: root,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  dev.stdout!.on('data', (d) => (output += d));
  dev.stderr!.on('data', (d) => (output += d));
  exited = new Promise((r) => dev.once('exit', () => r()));
  await waitForAnswer(`${base}/`, 240_000);
});

after(async () => {
  await stopDevServer();
  rmSync(dir, { recursive: true, force: true });
});

for (const [path, heading] of [
  ['/', /<h1[^>]*>/],
  ['/report', /<h1[^>]*>[^<]*report/i],
  ['/staff/sign-in', /<h1[^>]*>\s*Sign in/i],
] as const) {
  test(`astro dev serves ${path} with 200`, async () => {
    const res = await fetch(`${base}${path}`, { redirect: 'manual', signal: AbortSignal.timeout(180_000) });
    const html = await res.text();
    assert.equal(res.status, 200, `${path}: ${res.status}\n${html.slice(0, 500)}\n${output.slice(-2000)}`);
    assert.match(html, heading, `${path} renders its page`);
  });
}
