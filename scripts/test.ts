/**
 * The whole test suite: static checks (types, lint, unused dependencies), find Chromium (browser tests are
 * never skipped), build the server once, then run the unit, integration and browser tiers, each with its own
 * `node --test` (two browser files at a time), and print each tier's wall time and the coverage of src/.
 * Pass file paths or globs to run a subset: `npm test -- tests/unit/*.test.ts`; arguments starting with `-`
 * go to every `node --test`. SKIP_BUILD=1 reuses the last build; COVERAGE=0 skips coverage. A subset skips
 * the static checks unless STATIC_CHECKS=1 (run them alone with `npm run check`,
 * `npm run lint` and `npm run knip`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { findChromium } from './find-chromium.ts';
import { createCoverageDir, removeCoverageDir, reportCoverage } from './coverage.ts';

/** A group of test files run by one `node --test`. */
interface Tier {
  name: string;
  /** The files it runs when no file is named on the command line. */
  patterns: string[];
  /** Test files run at once. */
  concurrency: number;
  /** Whether its processes (and the servers they start) write coverage: the unit and server tiers do. */
  coverage: boolean;
  /** True for the tier a named file under this folder belongs to. */
  owns: (file: string) => boolean;
}

/** What one tier's run gave. */
interface TierResult {
  name: string;
  files: number;
  exitCode: number;
  seconds: number;
  counts: TestCounts;
}

/** Test counts from node's test runner summary. */
interface TestCounts {
  passed: number;
  failed: number;
  skipped: number;
}

const concurrency = Number(process.env.TEST_CONCURRENCY ?? '2');
const tiers: Tier[] = [
  { name: 'unit', patterns: ['tests/unit/**/*.test.ts'], concurrency, coverage: true, owns: (f) => /(^|\/)tests\/unit\//.test(f) },
  { name: 'integration', patterns: ['tests/integration/**/*.test.ts'], concurrency, coverage: true, owns: (f) => /(^|\/)tests\/integration\//.test(f) },
  // Two browser files at a time (each runs Chromium and a server), without coverage: coverage is measured on
  // the unit and server tiers, and writing it slows every browser file's server.
  { name: 'browser', patterns: ['tests/e2e/**/*.test.ts'], concurrency: Number(process.env.BROWSER_CONCURRENCY ?? '2'), coverage: false, owns: (f) => /(^|\/)tests\/e2e\//.test(f) },
];

/** The Chromium for browser tests, or stop with the reason. */
function chromiumOrExit(): string {
  try {
    return findChromium();
  } catch (error) {
    process.stderr.write((error as Error).message + '\n');
    process.exit(1);
  }
}

/** The static checks, each a node script with its arguments. */
const staticChecks: [name: string, argv: string[]][] = [
  ['astro check', ['node_modules/astro/bin/astro.mjs', 'check']],
  ['tsc --noEmit', ['node_modules/typescript/bin/tsc', '--noEmit', '-p', 'tsconfig.json']],
  ['eslint', ['node_modules/eslint/bin/eslint.js', '.']],
  ['knip', ['node_modules/knip/bin/knip.js']],
];

/** Run the static checks (for the whole suite, or any run with STATIC_CHECKS=1); the first failure stops the suite. */
function runStaticChecks(args: string[]): void {
  const named = args.filter((a) => !a.startsWith('-'));
  if (named.length > 0 && process.env.STATIC_CHECKS !== '1') return;
  for (const [name, argv] of staticChecks) {
    process.stdout.write(`Static check: ${name}\n`);
    const check = spawnSync(process.execPath, argv, { stdio: 'inherit', env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' } });
    if (check.status !== 0) {
      process.stderr.write(`Static check failed: ${name}\n`);
      process.exit(check.status ?? 1);
    }
  }
}

/** Build the server once (dist/server/entry.mjs, with source maps for coverage), unless SKIP_BUILD=1. */
function buildServer(): void {
  if (process.env.SKIP_BUILD === '1') return;
  const build = spawnSync(process.execPath, ['node_modules/astro/bin/astro.mjs', 'build', '--silent'], {
    stdio: 'inherit',
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

/** Split command-line arguments into test files per tier (files under no tier folder go to integration) and runner options. */
export function planTiers(args: string[]): { tier: Tier; files: string[] }[] {
  const options = args.filter((a) => a.startsWith('-'));
  const named = args.filter((a) => !a.startsWith('-'));
  return tiers
    .map((tier) => {
      const files = named.length === 0 ? tier.patterns : named.filter((f) => tier.owns(f) || (tier.name === 'integration' && !tiers.some((t) => t.owns(f))));
      return { tier, files: files.length > 0 ? [...options, ...files] : [] };
    })
    .filter((p) => p.files.length > 0);
}

/** Read the pass, fail and skip counts from the summary node's spec reporter prints ("ℹ pass 12"; the last one counts). */
export function parseTestCounts(output: string): TestCounts {
  const count = (label: string) => Number([...output.matchAll(new RegExp(`^ℹ ${label} (\\d+)$`, 'gm'))].at(-1)?.[1] ?? 0);
  return { passed: count('pass'), failed: count('fail') + count('cancelled'), skipped: count('skipped') + count('todo') };
}

/** Run one tier's files with node's test runner, passing its output through; resolves with its counts and wall time. */
function runTier(tier: Tier, files: string[], env: NodeJS.ProcessEnv): Promise<TierResult> {
  const started = performance.now();
  process.stdout.write(`\n▶ ${tier.name} tests\n`);
  const tierEnv = { ...env };
  if (!tier.coverage) delete tierEnv.NODE_V8_COVERAGE;
  const child = spawn(process.execPath, ['--test', `--test-concurrency=${tier.concurrency}`, '--test-reporter=spec', ...files], { stdio: ['ignore', 'pipe', 'inherit'], env: tierEnv });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    output += chunk.toString();
  });
  return new Promise((resolve) => {
    child.on('close', (code) => {
      const counts = parseTestCounts(output);
      resolve({ name: tier.name, files: files.filter((f) => !f.startsWith('-')).length, exitCode: code ?? 1, seconds: (performance.now() - started) / 1000, counts });
    });
  });
}

/** Print each tier's wall time and counts. */
function printTierTimes(results: TierResult[]): void {
  process.stdout.write('\nWall time per tier:\n');
  for (const r of results) {
    process.stdout.write(`  ${r.name.padEnd(12)} ${r.seconds.toFixed(1).padStart(6)} s  ${r.counts.passed} passed, ${r.counts.failed} failed${r.exitCode === 0 ? '' : ` (exit ${r.exitCode})`}\n`);
  }
}

/** The closing line for the whole run, added up over the tiers. */
export function closingLine(results: TierResult[]): string {
  const sum = (k: keyof TestCounts) => results.reduce((n, r) => n + r.counts[k], 0);
  return `tests: ${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`;
}

async function main(): Promise<void> {
  runStaticChecks(process.argv.slice(2));
  const chromium = chromiumOrExit();
  buildServer();
  const coverageDir = process.env.COVERAGE === '0' ? undefined : createCoverageDir();
  const env: NodeJS.ProcessEnv = { ...process.env, CHROMIUM_PATH: chromium, ASTRO_TELEMETRY_DISABLED: '1', NODE_ENV: 'test' };
  // Every test process, and every server a test starts, inherits this and writes its V8 coverage there on exit.
  if (coverageDir) env.NODE_V8_COVERAGE = coverageDir;
  const results: TierResult[] = [];
  for (const { tier, files } of planTiers(process.argv.slice(2))) results.push(await runTier(tier, files, env));
  printTierTimes(results);
  if (coverageDir) {
    reportCoverage(coverageDir);
    removeCoverageDir(coverageDir);
  }
  const failed = results.some((r) => r.exitCode !== 0);
  process.stdout.write(`\n${closingLine(results)}\n`);
  process.exit(failed ? 1 : 0);
}

if (import.meta.main) await main();
