/**
 * The whole test suite: static checks (types, lint, unused dependencies), find Chromium (browser tests are
 * never skipped), build the server once, then run the unit, integration and browser tiers, each with its own
 * `node --test` (longest files first, by the times the last run recorded), and print each step's wall time and
 * the coverage of src/.
 * The machine has two cores and the server tiers spend much of their time waiting (on servers starting, leases,
 * timeouts, the browser), so the work that needs no server fills that time at a lower CPU priority (nice 10):
 * the unit tier, ESLint and knip start beside the build; once it is built the integration and browser tiers run
 * side by side in the foreground while `astro check` runs in the background. The dev-server test runs after it
 * (astro dev rewrites the generated types it reads). `astro check` type-checks every file the tsconfig includes
 * (the .ts files of src/, tests/, scripts/ and bench/ as well as .astro), so a separate `tsc --noEmit` would
 * only check the same .ts files a second time. A failed check stops everything at once.
 * Pass file paths or globs to run a subset: `npm test -- tests/unit/*.test.ts`; arguments starting with `-`
 * go to every `node --test`. SKIP_BUILD=1 reuses the last build; COVERAGE=0 skips coverage. A subset skips
 * the static checks unless STATIC_CHECKS=1 (run them alone with `npm run check`,
 * `npm run lint` and `npm run knip`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { globSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findTestChromium } from './find-chromium.ts';
import { createCoverageDir, removeCoverageDir, reportCoverage } from './coverage.ts';
import { cpuSecondsOfTree } from './test-cpu.ts';

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

/** Seconds each test file took in earlier runs, by path. */
type FileTimes = Record<string, number>;

const concurrency = Number(process.env.TEST_CONCURRENCY ?? '2');
/** astro dev rewrites the generated types (.astro/) that astro check reads, so this test runs after it. */
const isDevServerTest = (f: string) => /(^|\/)tests\/integration\/dev-server\.test\.ts$/.test(f);
const tiers: Tier[] = [
  { name: 'unit', patterns: ['tests/unit/**/*.test.ts'], concurrency, coverage: 'tests', owns: (f) => /(^|\/)tests\/unit\//.test(f) },
  // Three files at a time: most integration files wait far more than they compute (server start-up, leases,
  // SMTP delays, timeouts), so a third file fills a core the other two leave idle.
  { name: 'integration', patterns: ['tests/integration/**/*.test.ts'], concurrency: Number(process.env.INTEGRATION_CONCURRENCY ?? '3'), coverage: 'servers', owns: (f) => /(^|\/)tests\/integration\//.test(f) && !isDevServerTest(f) },
  // Two browser files at a time (each runs Chromium and a server), without coverage: coverage is measured on
  // the unit and server tiers, and writing it slows every browser file's server.
  { name: 'browser', patterns: ['tests/e2e/**/*.test.ts'], concurrency: Number(process.env.BROWSER_CONCURRENCY ?? '2'), coverage: false, owns: (f) => /(^|\/)tests\/e2e\//.test(f) },
  // Coverage is measured on the built server; the dev server's Vite-transformed modules would not map back to src/.
  { name: 'dev server', patterns: ['tests/integration/dev-server.test.ts'], concurrency: 1, coverage: false, owns: isDevServerTest },
];

/** Where the test files' times are kept between runs (node_modules is never committed). */
const timesDir = 'node_modules/.cache/saferline-tests';
const timesFile = join(timesDir, 'file-times.json');
/** Where each test file's and step's process appends its CPU seconds (scripts/test-cpu.ts), and where the last run's are kept. */
const cpuLinesFile = join(timesDir, 'cpu.jsonl');
const cpuFile = join(timesDir, 'file-cpu.json');

/** The Chromium for browser tests, or stop with the reason. */
function chromiumOrExit(): string {
  try {
    return findTestChromium();
  } catch (error) {
    process.stderr.write((error as Error).message + '\n');
    process.exit(1);
  }
}

/** A step before or beside the tiers: a node script with its arguments; `quiet` prints its output only when it fails. */
type Step = { name: string; argv: string[]; quiet?: boolean };

const astroCheck: Step = { name: 'astro check', argv: ['node_modules/astro/bin/astro.mjs', 'check'] };
const eslintCheck: Step = { name: 'eslint', argv: ['node_modules/eslint/bin/eslint.js', '.'] };
const knipCheck: Step = { name: 'knip', argv: ['node_modules/knip/bin/knip.js'] };
/**
 * The server build (dist/server/entry.mjs, with source maps for coverage), at Astro's default log level as
 * `npm run build` makes it for deployment: `--silent` would also silence the built server's own error log, which
 * the logging tests must see.
 */
const buildStep: Step = { name: 'build', argv: ['node_modules/astro/bin/astro.mjs', 'build'], quiet: true };

/** What a finished step took. */
interface StepResult {
  name: string;
  seconds: number;
  exitCode: number;
}

/** Processes still running (each leads its own process group), stopped together when a check fails or on Ctrl-C. */
const running = new Set<ChildProcess>();

/** Start node with these arguments as the leader of a new process group; in the background at nice 10 (its children inherit it). */
function spawnNode(argv: string[], options: { env: NodeJS.ProcessEnv; background: boolean; stdout: 'pipe' | 'inherit' }): ChildProcess {
  // scripts/test-cpu.ts records the CPU seconds of each step and each test file (node --test hands it on to them).
  const nodeArgs = ['--import', './scripts/test-cpu.ts', ...argv];
  const [command, args] = options.background ? ['nice', ['-n', '10', process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const child = spawn(command, args, { stdio: ['ignore', options.stdout, 'pipe'], env: options.env, detached: true });
  running.add(child);
  child.on('close', () => running.delete(child));
  return child;
}

/** Stop every running step and tier with its children (test servers, browsers), then exit with the code. */
function stopAllAndExit(code: number): never {
  for (const child of running) {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  process.exit(code);
}

/** Run a step with its output held back, then print it in one piece (so steps side by side do not interleave). */
function runStep(step: Step, background = false): Promise<StepResult> {
  const started = performance.now();
  const child = spawnNode(step.argv, { env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', TEST_CPU_NAME: step.name }, background, stdout: 'pipe' });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => {
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const shown = code === 0 && step.quiet ? '' : output.trim();
      process.stdout.write(`\n${step.name} (${seconds.toFixed(1)} s)${code === 0 ? '' : ` failed, exit ${code}`}\n${shown ? output.trimEnd() + '\n' : ''}`);
      resolve({ name: step.name, seconds, exitCode: code ?? 1 });
    });
  });
}

/** Run steps one after another into `into`; the first failure stops the whole suite. */
async function runStepsOrStop(steps: Step[], into: StepResult[], background: boolean): Promise<void> {
  for (const step of steps) {
    const result = await runStep(step, background);
    into.push(result);
    if (result.exitCode !== 0) {
      process.stderr.write(`Failed: ${result.name}\n`);
      stopAllAndExit(result.exitCode);
    }
  }
}

/** Whether the static checks run: for the whole suite, or any run with STATIC_CHECKS=1. */
function wantsStaticChecks(args: string[]): boolean {
  return args.filter((a) => !a.startsWith('-')).length === 0 || process.env.STATIC_CHECKS === '1';
}

/**
 * Seconds per test file from a recent whole run, committed so that a fresh clone (as CI runs) also starts its
 * longest files first: by size, the slowest integration files (waiting on leases, throttles and second
 * servers) are small and would start last, and the tier would end on them.
 */
const shippedTimesFile = 'tests/file-times.json';

/** A JSON file of file times, or none. */
function readTimes(file: string): FileTimes {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as FileTimes;
  } catch {
    return {};
  }
}

/** The file times recorded by earlier runs on this machine, over the committed ones. */
function readFileTimes(): FileTimes {
  return { ...readTimes(shippedTimesFile), ...readTimes(timesFile) };
}

/** Add the times one tier's reporter wrote (scripts/test-times.ts) to the recorded ones. */
function recordFileTimes(tierTimesFile: string): void {
  try {
    const fresh = JSON.parse(readFileSync(tierTimesFile, 'utf8')) as FileTimes;
    writeFileSync(timesFile, JSON.stringify({ ...readFileTimes(), ...fresh }, null, 1));
  } catch {
    /* the tier wrote no times (it failed to start): keep the old ones */
  } finally {
    rmSync(tierTimesFile, { force: true });
  }
}

/**
 * Test files matching the patterns, longest first, so the longest runs do not start last and run alone at the
 * end: by the seconds an earlier run recorded, and a file with no record by its size (at the seconds per byte of
 * the recorded ones, or by size alone when none is recorded).
 */
export function orderLongestFirst(patterns: string[], times: FileTimes = {}): string[] {
  const files = [...new Set(patterns.flatMap((p) => (p.includes('*') ? globSync(p) : [p])))];
  const size = (f: string) => {
    try {
      return statSync(f).size;
    } catch {
      return 0;
    }
  };
  const recorded = files.filter((f) => times[f] !== undefined);
  const recordedBytes = recorded.reduce((n, f) => n + size(f), 0);
  const perByte = recordedBytes > 0 ? recorded.reduce((n, f) => n + times[f]!, 0) / recordedBytes : 1;
  const estimate = (f: string) => times[f] ?? size(f) * perByte;
  return files.map((f) => [f, estimate(f)] as const).sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).map(([f]) => f);
}

/** Split command-line arguments into test files per tier (files under no tier folder go to integration) and runner options. */
export function planTiers(args: string[], times: FileTimes = {}): { tier: Tier; files: string[] }[] {
  const options = args.filter((a) => a.startsWith('-'));
  const named = args.filter((a) => !a.startsWith('-'));
  return tiers
    .map((tier) => {
      const files = named.length === 0 ? orderLongestFirst(tier.patterns, times).filter(tier.owns) : orderLongestFirst(named.filter((f) => tier.owns(f) || (tier.name === 'integration' && !tiers.some((t) => t.owns(f)))), times);
      return { tier, files: files.length > 0 ? [...options, ...files] : [] };
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
 * as it comes, whole lines at a time, or, with `hold` (a tier running beside another), is printed in one piece
 * when it ends. Each file's time goes to the recorded times for the next run's order.
 */
function runTier(tier: Tier, files: string[], env: NodeJS.ProcessEnv, options: { hold?: boolean; background?: boolean } = {}): Promise<TierResult> {
  const { hold = false, background = false } = options;
  const started = performance.now();
  if (!hold) process.stdout.write(`\n▶ ${tier.name} tests\n`);
  const tierEnv = { ...env };
  // tests/helpers/server.ts hands SERVER_V8_COVERAGE to each server it starts as NODE_V8_COVERAGE.
  if (tier.coverage === 'servers' && tierEnv.NODE_V8_COVERAGE) tierEnv.SERVER_V8_COVERAGE = tierEnv.NODE_V8_COVERAGE;
  if (tier.coverage !== 'tests') delete tierEnv.NODE_V8_COVERAGE;
  // Node's compile cache (V8 code for each module, TypeScript's stripped too) for the tiers whose test processes
  // write no coverage: each of their files and servers loads much the same modules (the built server, the helpers,
  // playwright-core), and from the second load on compiling them is skipped. Not where coverage is written (the
  // unit tier, the integration tier's servers, see tests/helpers/server.ts): Node warns that coverage of code
  // from the cache may be less precise.
  if (tier.coverage !== 'tests') tierEnv.NODE_COMPILE_CACHE = resolve(timesDir, 'compile-cache');
  mkdirSync(timesDir, { recursive: true });
  const tierTimesFile = join(timesDir, `${tier.name.replace(/\W+/g, '-')}.json`);
  const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=./scripts/test-times.ts', `--test-reporter-destination=${tierTimesFile}`];
  // scripts/drizzle-resolve.ts spares each test process that loads the domain code about a second of CPU (node --test
  // hands the --import on to every test file's process).
  const child = spawnNode(['--import', './scripts/drizzle-resolve.ts', '--test', `--test-concurrency=${tier.concurrency}`, ...reporters, ...files], { env: tierEnv, background, stdout: 'pipe' });
  let output = '';
  let printed = 0;
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    const end = output.lastIndexOf('\n') + 1;
    if (!hold && end > printed) {
      process.stdout.write(output.slice(printed, end));
      printed = end;
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    if (hold) output += chunk.toString();
    else process.stderr.write(chunk);
  });
  return new Promise((resolve) => {
    child.on('close', (code) => {
      if (hold) process.stdout.write(`\n▶ ${tier.name} tests (run beside other steps; output held until it ended)\n${output}`);
      else process.stdout.write(output.slice(printed));
      recordFileTimes(tierTimesFile);
      const counts = parseTestCounts(output);
      resolve({ name: tier.name, files: files.filter((f) => !f.startsWith('-')).length, exitCode: code ?? 1, seconds: (performance.now() - started) / 1000, counts });
    });
  });
}

/** Print each step's and each tier's wall time, and the tiers' counts. */
function printTimes(steps: StepResult[], results: TierResult[], totalSeconds: number): void {
  process.stdout.write('\nWall time per step (the build in front; the unit tier and the checks beside it and the server tiers, at nice 10):\n');
  for (const r of steps) process.stdout.write(`  ${r.name.padEnd(14)} ${r.seconds.toFixed(1).padStart(6)} s\n`);
  process.stdout.write('Wall time per tier:\n');
  for (const r of results) {
    process.stdout.write(`  ${r.name.padEnd(14)} ${r.seconds.toFixed(1).padStart(6)} s  ${r.counts.passed} passed, ${r.counts.failed} failed${r.exitCode === 0 ? '' : ` (exit ${r.exitCode})`}\n`);
  }
  process.stdout.write(`Whole run: ${totalSeconds.toFixed(1)} s\n`);
}

/** The CPU seconds each step and test file recorded in this run (scripts/test-cpu.ts), by name. */
function readCpuSeconds(): Record<string, number> {
  const seconds: Record<string, number> = {};
  try {
    for (const line of readFileSync(cpuLinesFile, 'utf8').split('\n').filter(Boolean)) {
      const { name, seconds: s } = JSON.parse(line) as { name: string; seconds: number };
      seconds[name] = (seconds[name] ?? 0) + s;
    }
  } catch {
    /* nothing recorded (not Linux) */
  }
  return seconds;
}

/** The CPU seconds of browser processes that no process waited for, as the test files recorded them in this run. */
function unwaitedBrowserSeconds(): number {
  try {
    return readFileSync(cpuLinesFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .reduce((n, line) => n + ((JSON.parse(line) as { browsers?: number }).browsers ?? 0), 0);
  } catch {
    return 0;
  }
}

/**
 * Print the CPU seconds (user + system, with the processes each started: servers, Chromium) of each step, each
 * tier (the sum of its files) and the whole run, and the files that took most; keep the files' figures for
 * comparing runs. On a shared or busy machine these compare between runs where wall times do not.
 */
function printCpu(steps: StepResult[], plan: { tier: Tier; files: string[] }[]): void {
  const cpu = readCpuSeconds();
  if (Object.keys(cpu).length === 0) return;
  writeFileSync(cpuFile, JSON.stringify(cpu, null, 1));
  const fmt = (n: number) => n.toFixed(1).padStart(6);
  process.stdout.write('CPU seconds (user + system, with the servers and browsers each started):\n');
  for (const r of steps) if (cpu[r.name] !== undefined) process.stdout.write(`  ${r.name.padEnd(14)} ${fmt(cpu[r.name]!)}\n`);
  for (const { tier, files } of plan) {
    const own = files.filter((f) => !f.startsWith('-'));
    const recorded = own.filter((f) => cpu[f] !== undefined);
    const sum = recorded.reduce((n, f) => n + cpu[f]!, 0);
    process.stdout.write(`  ${tier.name.padEnd(14)} ${fmt(sum)}  (${recorded.length} of ${own.length} files)\n`);
  }
  // This process's figure holds everything it waited for, down the tree, except the browser processes Chromium
  // never waits for: the test files added theirs to their own figures (scripts/test-cpu.ts), and so here.
  const self = cpuSecondsOfTree(readFileSync('/proc/self/stat', 'utf8'));
  if (self !== null) process.stdout.write(`  ${'whole run'.padEnd(14)} ${fmt(self + unwaitedBrowserSeconds())}\n`);
  const top = Object.entries(cpu).filter(([name]) => name.endsWith('.ts')).sort((a, b) => b[1] - a[1]).slice(0, 10);
  process.stdout.write(`Most CPU (all files in ${cpuFile}):\n${top.map(([f, s]) => `  ${fmt(s)}  ${f}`).join('\n')}\n`);
}

/** The closing line for the whole run, added up over the tiers. */
export function closingLine(results: TierResult[]): string {
  const sum = (k: keyof TestCounts) => results.reduce((n, r) => n + r.counts[k], 0);
  return `tests: ${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`;
}

async function main(): Promise<void> {
  const started = performance.now();
  const args = process.argv.slice(2);
  const checks = wantsStaticChecks(args);
  const chromium = chromiumOrExit();
  const coverageDir = process.env.COVERAGE === '0' ? undefined : createCoverageDir();
  mkdirSync(timesDir, { recursive: true });
  rmSync(cpuLinesFile, { force: true });
  process.env.TEST_CPU_FILE = resolve(cpuLinesFile);
  // The first test server of the run with the default settings keeps its new database here; the later ones start
  // on a copy instead of migrating and seeding again (tests/helpers/server.ts). One per run: it is of this build.
  const template = resolve(timesDir, `template-${process.pid}.db`);
  process.on('exit', () => rmSync(template, { force: true }));
  const env: NodeJS.ProcessEnv = { ...process.env, CHROMIUM_PATH: chromium, ASTRO_TELEMETRY_DISABLED: '1', NODE_ENV: 'test', TEST_DB_TEMPLATE: template };
  // Every test process, and every server a test starts, inherits this and writes its V8 coverage there on exit.
  if (coverageDir) env.NODE_V8_COVERAGE = coverageDir;
  // Every step leads its own process group: on Ctrl-C stop them all, with their servers and browsers.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stopAllAndExit(130));
  const plan = planTiers(args, readFileTimes());
  const tier = (name: string) => plan.find((p) => p.tier.name === name);
  const steps: StepResult[] = [];
  const results: TierResult[] = [];
  // Beside the build, in the background: the unit tier (it needs no build), ESLint and knip (they read no
  // generated types). astro check waits for the build: it writes the generated types (.astro/) it reads.
  const unit = tier('unit');
  const unitDone = unit ? runTier(unit.tier, unit.files, env, { hold: plan.length > 1, background: true }).then((r) => void results.push(r)) : undefined;
  const lintDone = checks ? Promise.all([runStepsOrStop([eslintCheck], steps, true), runStepsOrStop([knipCheck], steps, true)]) : undefined;
  if (process.env.SKIP_BUILD !== '1') await runStepsOrStop([buildStep], steps, false);
  // The server tiers side by side in the foreground: many of their tests wait on timers, sockets and the browser.
  const serverTiers = plan.filter((p) => p.tier.name === 'integration' || p.tier.name === 'browser');
  const serversDone = Promise.all(serverTiers.map(({ tier: t, files }, i) => runTier(t, files, env, { hold: i > 0 }))).then((r) => void results.push(...r));
  // Meanwhile the type checks in the background, then the dev-server test (astro dev writes the types again).
  const devServer = tier('dev server');
  const typesDone = (async () => {
    if (checks) await runStepsOrStop([astroCheck], steps, true);
    if (devServer) results.push(await runTier(devServer.tier, devServer.files, env, { hold: plan.length > 1 }));
  })();
  await Promise.all([unitDone, lintDone, serversDone, typesDone]);
  const order = (name: string) => tiers.findIndex((t) => t.name === name);
  results.sort((a, b) => order(a.name) - order(b.name));
  printTimes(steps, results, (performance.now() - started) / 1000);
  if (coverageDir) {
    reportCoverage(coverageDir);
    removeCoverageDir(coverageDir);
  }
  printCpu(steps, plan);
  const failed = results.some((r) => r.exitCode !== 0);
  process.stdout.write(`\n${closingLine(results)}\n`);
  process.exit(failed ? 1 : 0);
}

if (import.meta.main) await main();
