/**
 * Lighthouse 12.2.3 (fetched at bench time with npx, not a dependency) in headless Chromium against the built
 * server's home page, report start and an advice page, beside a minimal Astro 7 page with no database
 * (bench/minimal-astro.ts) scored in the same run. Lighthouse's defaults: mobile form factor, simulated
 * throttling. Each page is scored LIGHTHOUSE_RUNS times (5 unless set), in turn, and the run with the median
 * performance score is shown with every run's score beside it: Lighthouse's own advice for its run-to-run variance.
 * Needs a build (npm run build) and network access for npx the first time.
 * Run: node bench/lighthouse.ts. Writes bench/results/lighthouse.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startServer } from '../tests/helpers/server.ts';
import { findChromium } from '../scripts/find-chromium.ts';
import { startMinimalAstro } from './minimal-astro.ts';

const LIGHTHOUSE = 'lighthouse@12.2.3';
const RUNS = Math.max(1, Number(process.env.LIGHTHOUSE_RUNS ?? 5));
const chromium = findChromium();
const out = mkdtempSync(join(tmpdir(), 'saferline-lighthouse-'));
// npx and the Lighthouse it runs use this Node (24), not whatever node comes first on PATH.
const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, CHROME_PATH: chromium };

interface Scores {
  performance: number;
  accessibility: number;
  fcp: string;
  lcp: string;
  tbt: string;
  cls: string;
}

/** Run Lighthouse on a URL; its scores (0–100) and main metrics, or an Error saying exactly what failed. */
function lighthouse(url: string, name: string): Scores {
  const file = join(out, `${name}.json`);
  const r = spawnSync('npx', ['--yes', LIGHTHOUSE, url, '--quiet', '--output=json', `--output-path=${file}`, '--only-categories=performance,accessibility', '--chrome-flags=--headless=new --no-sandbox --disable-dev-shm-usage'], { env, encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) throw new Error(`${LIGHTHOUSE} on ${url} failed (exit ${r.status ?? r.signal}): ${(r.stderr || r.stdout || String(r.error)).trim().slice(-2000)}`);
  const report = JSON.parse(readFileSync(file, 'utf8')) as {
    categories: Record<string, { score: number | null }>;
    audits: Record<string, { displayValue?: string }>;
    runtimeError?: { message: string };
  };
  if (report.runtimeError) throw new Error(`${LIGHTHOUSE} on ${url}: ${report.runtimeError.message}`);
  const score = (c: string) => Math.round((report.categories[c]?.score ?? 0) * 100);
  const metric = (a: string) => report.audits[a]?.displayValue ?? '';
  return { performance: score('performance'), accessibility: score('accessibility'), fcp: metric('first-contentful-paint'), lcp: metric('largest-contentful-paint'), tbt: metric('total-blocking-time'), cls: metric('cumulative-layout-shift') };
}

const version = spawnSync('npx', ['--yes', LIGHTHOUSE, '--version'], { env, encoding: 'utf8' });
if (version.status !== 0) throw new Error(`npx could not fetch ${LIGHTHOUSE}: ${(version.stderr || String(version.error)).trim()}`);

/** Scores of several runs: the run with the median performance score, the lowest accessibility score, and every run's performance score in run order. */
interface Runs extends Scores {
  runs: number[];
}

/** The run with the median performance score among `runs` (the lower middle one for an even count), with the lowest accessibility score of them all. */
function medianRun(runs: Scores[]): Runs {
  const sorted = [...runs].sort((a, b) => a.performance - b.performance);
  return { ...sorted[Math.floor((sorted.length - 1) / 2)]!, accessibility: Math.min(...runs.map((r) => r.accessibility)), runs: runs.map((r) => r.performance) };
}

const minimal = await startMinimalAstro();
let reference: Runs;
try {
  reference = medianRun(Array.from({ length: RUNS }, (_, k) => lighthouse(`${minimal.url}/`, `minimal-${k}`)));
} finally {
  await minimal.stop();
}

const PAGES = [
  { path: '/', name: 'Home' },
  { path: '/report', name: 'Report start' },
  { path: '/advice/noise', name: 'Advice: noise' },
];
const server = await startServer({ LOG_LEVEL: 'error', SECRET_KEY: 'bench-secret-key-0123456789' });
const rows: ({ name: string; path: string } & Runs)[] = [];
try {
  // The pages in turn, RUNS rounds, so a slow spell of the machine falls on every page rather than on one.
  const runs: Scores[][] = PAGES.map(() => []);
  for (let k = 0; k < RUNS; k++) for (const [i, page] of PAGES.entries()) runs[i]!.push(lighthouse(server.url + page.path, `page-${i}-${k}`));
  for (const [i, page] of PAGES.entries()) rows.push({ ...page, ...medianRun(runs[i]!) });
} finally {
  await server.stop();
  rmSync(out, { recursive: true, force: true });
}

const met = (ok: boolean) => (ok ? 'met' : 'not met');
const table = [
  '| page | performance (median run) | every run | accessibility (lowest run) | first contentful paint | largest contentful paint | total blocking time | cumulative layout shift |',
  '|---|---:|---|---:|---:|---:|---:|---:|',
  `| minimal Astro 7 page, no database (reference) | ${reference.performance} | ${reference.runs.join(', ')} | ${reference.accessibility} | ${reference.fcp} | ${reference.lcp} | ${reference.tbt} | ${reference.cls} |`,
  ...rows.map((r) => `| ${r.name} \`${r.path}\` | ${r.performance} | ${r.runs.join(', ')} | ${r.accessibility} | ${r.fcp} | ${r.lcp} | ${r.tbt} | ${r.cls} |`),
].join('\n');
const targets = rows
  .map((r) => `- ${r.name}: performance ≥ 98 **${met(r.performance >= 98)}** (median ${r.performance}; ${r.runs.filter((x) => x >= 98).length} of ${r.runs.length} runs at 98 or more); accessibility 100 **${met(r.accessibility === 100)}** (${r.accessibility}).`)
  .join('\n');
const text = `# Lighthouse\n\nRun ${new Date().toISOString()} with ${LIGHTHOUSE} (npx), ${version.stdout.trim() ? `Lighthouse ${version.stdout.trim()}, ` : ''}${spawnSync(chromium, ['--version'], { encoding: 'utf8' }).stdout.trim()} headless (--no-sandbox), Lighthouse's default mobile form factor and simulated throttling, against the built server on loopback with the demo content, ${RUNS} runs of each page (the pages in turn; the metrics are the median run's). The reference, a minimal Astro 7 page with no database (a throwaway Astro project, same Astro and Node adapter), is scored in the same run.\n\n${table}\n\nTargets (issue 18):\n\n${targets}\n`;
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/lighthouse.md', text);
process.stdout.write(text);
