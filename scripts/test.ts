/**
 * The whole test suite: static checks (types, lint, unused dependencies), find Chromium (browser tests are
 * never skipped), build the server once, then run the unit, integration and browser tiers, each with its own
 * `node --test` (two files at a time, longest first), and print each step's wall time and the coverage of src/.
 * The machine has two cores and each check is mostly one thread, so the checks run two at a time, the unit tier
 * (which needs no build) beside the build, and the integration and browser tiers side by side.
 * Pass file paths or globs to run a subset: `npm test -- tests/unit/*.test.ts`; arguments starting with `-`
 * go to every `node --test`. SKIP_BUILD=1 reuses the last build; COVERAGE=0 skips coverage. A subset skips
 * the static checks unless STATIC_CHECKS=1 (run them alone with `npm run check`,
 * `npm run lint` and `npm run knip`).
 */
import { spawn } from 'node:child_process';
import { globSync, statSync } from 'node:fs';
import { findChromium } from './find-chromium.ts';
import { createCoverageDir, removeCoverageDir, reportCoverage } from './coverage.ts';

/** A group of test files run by one `node --test`. */
interface Tier {
  name: string;
  /** The files it runs when no file is named on the command line. */
  patterns: string[];
  /** Test files run at once. */
  concurrency: number;
  /**
   * Who writes V8 coverage: the test processes themselves (unit tests run src/ directly), only the servers they
   * start (the integration tier: its test processes run test code, and covering them only slows them), or nobody.
   */
  coverage: 'tests' | 'servers' | false;
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
  { name: 'unit', patterns: ['tests/unit/**/*.test.ts'], concurrency, coverage: 'tests', owns: (f) => /(^|\/)tests\/unit\//.test(f) },
  { name: 'integration', patterns: ['tests/integration/**/*.test.ts'], concurrency: Number(process.env.INTEGRATION_CONCURRENCY ?? concurrency), coverage: 'servers', owns: (f) => /(^|\/)tests\/integration\//.test(f) },
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

/** A step before the tiers: a node script with its arguments. */
type Step = { name: string; argv: string[] };

const astroCheck: Step = { name: 'astro check', argv: ['node_modules/astro/bin/astro.mjs', 'check'] };
const tscCheck: Step = { name: 'tsc --noEmit', argv: ['node_modules/typescript/bin/tsc', '--noEmit', '-p', 'tsconfig.json'] };
const eslintCheck: Step = { name: 'eslint', argv: ['node_modules/eslint/bin/eslint.js', '.'] };
const knipCheck: Step = { name: 'knip', argv: ['node_modules/knip/bin/knip.js'] };
/** The server build (dist/server/entry.mjs, with source maps for coverage). */
const buildStep: Step = { name: 'build', argv: ['node_modules/astro/bin/astro.mjs', 'build', '--silent'] };

/**
 * The static checks two at a time. astro check runs first because it writes the generated types (.astro/) that
 * tsc reads; the build, which writes them again, is never run beside tsc.
 */
const staticPhases: Step[][] = [
  [astroCheck, eslintCheck],
  [tscCheck, knipCheck],
];

/** What a finished step took. */
interface StepResult {
  name: string;
  seconds: number;
  exitCode: number;
}

/** Run a step with its output held back, then print it in one piece (so two steps at once do not interleave). */
function runStep(step: Step): Promise<StepResult> {
  const started = performance.now();
  const child = spawn(process.execPath, step.argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => {
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      process.stdout.write(`${step.name} (${seconds.toFixed(1)} s)${code === 0 ? '' : ` failed, exit ${code}`}\n${output.trim() ? output.trimEnd() + '\n' : ''}`);
      resolve({ name: step.name, seconds, exitCode: code ?? 1 });
    });
  });
}

/** Stop the suite with the first failed step. */
function exitOnFailure(results: StepResult[]): void {
  const failed = results.find((r) => r.exitCode !== 0);
  if (!failed) return;
  process.stderr.write(`Failed: ${failed.name}\n`);
  process.exit(failed.exitCode);
}

/** Whether the static checks run: for the whole suite, or any run with STATIC_CHECKS=1. */
function wantsStaticChecks(args: string[]): boolean {
  return args.filter((a) => !a.startsWith('-')).length === 0 || process.env.STATIC_CHECKS === '1';
}

/** Run the static checks, two at a time; the first failure stops the suite. */
async function runStaticChecks(): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const phase of staticPhases) {
    const done = await Promise.all(phase.map(runStep));
    exitOnFailure(done);
    results.push(...done);
  }
  return results;
}

/** Test files matching the patterns, longest file first, so the longest runs do not start last and run alone at the end. */
export function orderLongestFirst(patterns: string[]): string[] {
  const files = [...new Set(patterns.flatMap((p) => (p.includes('*') ? globSync(p) : [p])))];
  const size = (f: string) => {
    try {
      return statSync(f).size;
    } catch {
      return 0;
    }
  };
  return files.map((f) => [f, size(f)] as const).sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).map(([f]) => f);
}

/** Split command-line arguments into test files per tier (files under no tier folder go to integration) and runner options. */
export function planTiers(args: string[]): { tier: Tier; files: string[] }[] {
  const options = args.filter((a) => a.startsWith('-'));
  const named = args.filter((a) => !a.startsWith('-'));
  return tiers
    .map((tier) => {
      const files = named.length === 0 ? tier.patterns : named.filter((f) => tier.owns(f) || (tier.name === 'integration' && !tiers.some((t) => t.owns(f))));
      return { tier, files: files.length > 0 ? [...options, ...orderLongestFirst(files)] : [] };
    })
    .filter((p) => p.files.length > 0);
}

/** Read the pass, fail and skip counts from the summary node's spec reporter prints ("ℹ pass 12"; the last one counts). */
export function parseTestCounts(output: string): TestCounts {
  const count = (label: string) => Number([...output.matchAll(new RegExp(`^ℹ ${label} (\\d+)$`, 'gm'))].at(-1)?.[1] ?? 0);
  return { passed: count('pass'), failed: count('fail') + count('cancelled'), skipped: count('skipped') + count('todo') };
}

/**
 * Run one tier's files with node's test runner; resolves with its counts and wall time. Its output goes through
 * as it comes, or, with `hold` (a tier running beside another), is printed in one piece when it ends.
 */
function runTier(tier: Tier, files: string[], env: NodeJS.ProcessEnv, hold = false): Promise<TierResult> {
  const started = performance.now();
  if (!hold) process.stdout.write(`\n▶ ${tier.name} tests\n`);
  const tierEnv = { ...env };
  // tests/helpers/server.ts hands SERVER_V8_COVERAGE to each server it starts as NODE_V8_COVERAGE.
  if (tier.coverage === 'servers' && tierEnv.NODE_V8_COVERAGE) tierEnv.SERVER_V8_COVERAGE = tierEnv.NODE_V8_COVERAGE;
  if (tier.coverage !== 'tests') delete tierEnv.NODE_V8_COVERAGE;
  const child = spawn(process.execPath, ['--test', `--test-concurrency=${tier.concurrency}`, '--test-reporter=spec', ...files], { stdio: ['ignore', 'pipe', hold ? 'pipe' : 'inherit'], env: tierEnv });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    if (!hold) process.stdout.write(chunk);
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => {
    child.on('close', (code) => {
      if (hold) process.stdout.write(`\n▶ ${tier.name} tests (run beside the tier above; output held until it ended)\n${output}`);
      const counts = parseTestCounts(output);
      resolve({ name: tier.name, files: files.filter((f) => !f.startsWith('-')).length, exitCode: code ?? 1, seconds: (performance.now() - started) / 1000, counts });
    });
  });
}

/** Print each step's and each tier's wall time, and the tiers' counts. */
function printTimes(steps: StepResult[], results: TierResult[], totalSeconds: number): void {
  process.stdout.write('\nWall time per step (the checks two at a time, the build beside the unit tier, the server tiers side by side):\n');
  for (const r of steps) process.stdout.write(`  ${r.name.padEnd(14)} ${r.seconds.toFixed(1).padStart(6)} s\n`);
  process.stdout.write('Wall time per tier:\n');
  for (const r of results) {
    process.stdout.write(`  ${r.name.padEnd(14)} ${r.seconds.toFixed(1).padStart(6)} s  ${r.counts.passed} passed, ${r.counts.failed} failed${r.exitCode === 0 ? '' : ` (exit ${r.exitCode})`}\n`);
  }
  process.stdout.write(`Whole run: ${totalSeconds.toFixed(1)} s\n`);
}

/** The closing line for the whole run, added up over the tiers. */
export function closingLine(results: TierResult[]): string {
  const sum = (k: keyof TestCounts) => results.reduce((n, r) => n + r.counts[k], 0);
  return `tests: ${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`;
}

async function main(): Promise<void> {
  const started = performance.now();
  const args = process.argv.slice(2);
  const steps = wantsStaticChecks(args) ? await runStaticChecks() : [];
  const chromium = chromiumOrExit();
  const coverageDir = process.env.COVERAGE === '0' ? undefined : createCoverageDir();
  const env: NodeJS.ProcessEnv = { ...process.env, CHROMIUM_PATH: chromium, ASTRO_TELEMETRY_DISABLED: '1', NODE_ENV: 'test' };
  // Every test process, and every server a test starts, inherits this and writes its V8 coverage there on exit.
  if (coverageDir) env.NODE_V8_COVERAGE = coverageDir;
  const plan = planTiers(args);
  const results: TierResult[] = [];
  // The unit tier needs no build, so it runs beside it; the other tiers start the built server.
  const unit = plan.find((p) => p.tier.name === 'unit');
  const [build, unitResult] = await Promise.all([
    process.env.SKIP_BUILD === '1' ? undefined : runStep(buildStep),
    unit ? runTier(unit.tier, unit.files, env) : undefined,
  ]);
  if (build) {
    steps.push(build);
    exitOnFailure([build]);
  }
  if (unitResult) results.push(unitResult);
  // The server tiers run side by side: many of their tests wait on timers, sockets and the browser, so one
  // tier alone leaves a core idle much of the time.
  const rest = plan.filter((p) => p !== unit);
  results.push(...(await Promise.all(rest.map(({ tier, files }, i) => runTier(tier, files, env, i > 0)))));
  printTimes(steps, results, (performance.now() - started) / 1000);
  if (coverageDir) {
    reportCoverage(coverageDir);
    removeCoverageDir(coverageDir);
  }
  const failed = results.some((r) => r.exitCode !== 0);
  process.stdout.write(`\n${closingLine(results)}\n`);
  process.exit(failed ? 1 : 0);
}

if (import.meta.main) await main();
