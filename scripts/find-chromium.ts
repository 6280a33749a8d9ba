/**
 * Find a Chromium for the browser tests: CHROMIUM_PATH, the system chromium, or Playwright's own browser.
 * On a Debian machine without one, running as root, install Debian's chromium; elsewhere stop with one line.
 * The tests prefer the headless shell (findTestChromium): the same Blink and V8 without the full browser's
 * user interface, as Playwright itself uses for headless runs; it uses about a third of the CPU.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

function which(name: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = r.stdout.trim();
  return r.status === 0 && path ? path : undefined;
}

function playwrightBrowser(): string | undefined {
  const cache = process.env.PLAYWRIGHT_BROWSERS_PATH ?? join(homedir(), '.cache', 'ms-playwright');
  if (!existsSync(cache)) return undefined;
  for (const dir of readdirSync(cache).filter((d) => d.startsWith('chromium')).sort().reverse()) {
    for (const sub of ['chrome-linux64/chrome', 'chrome-linux/chrome', 'chrome-headless-shell-linux64/chrome-headless-shell']) {
      const p = join(cache, dir, sub);
      if (existsSync(p)) return p;
    }
  }
  return undefined;
}

/** Playwright's own headless shell, when it has downloaded one. */
function playwrightHeadlessShell(): string | undefined {
  const cache = process.env.PLAYWRIGHT_BROWSERS_PATH ?? join(homedir(), '.cache', 'ms-playwright');
  if (!existsSync(cache)) return undefined;
  for (const dir of readdirSync(cache).filter((d) => d.startsWith('chromium_headless_shell')).sort().reverse()) {
    const p = join(cache, dir, 'chrome-headless-shell-linux64', 'chrome-headless-shell');
    if (existsSync(p)) return p;
  }
  return undefined;
}

/**
 * The Chromium for the browser tests: CHROMIUM_PATH, else the headless shell (Debian's chromium-headless-shell
 * package or Playwright's), else any Chromium as findChromium finds it.
 */
export function findTestChromium(): string {
  if (process.env.CHROMIUM_PATH) return findChromium();
  return which('chromium-headless-shell') ?? playwrightHeadlessShell() ?? findChromium();
}

/** Return a Chromium executable path, installing Debian's package when that is possible. */
export function findChromium(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH points to ${fromEnv}, which does not exist`);
    return fromEnv;
  }
  const found = which('chromium') ?? which('chromium-browser') ?? which('google-chrome') ?? playwrightBrowser();
  if (found) return found;
  const debian = existsSync('/etc/debian_version') && which('apt-get');
  if (debian && process.getuid?.() === 0) {
    process.stderr.write('No Chromium found: installing Debian chromium (apt-get install chromium)\n');
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    const installed = which('chromium');
    if (installed) return installed;
  }
  throw new Error('No Chromium found: install Chromium (Debian: `sudo apt-get install chromium`) or set CHROMIUM_PATH to its executable.');
}

if (import.meta.main) {
  try {
    process.stdout.write(findChromium() + '\n');
  } catch (error) {
    process.stderr.write((error as Error).message + '\n');
    process.exit(1);
  }
}
