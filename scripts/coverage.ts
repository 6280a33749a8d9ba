/**
 * Test coverage of src/: every test process (and every server a test spawns) writes raw V8 coverage into one
 * folder through NODE_V8_COVERAGE. Unit tests run src/*.ts directly; the built server runs dist/server/*.mjs,
 * whose source maps lead back to src/. The raw files are cut down to those two folders, then c8 reports
 * lines, branches and functions of src/ (untested files count as 0 %).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The raw V8 coverage one process writes (only the parts read here). */
interface ProcessCoverage {
  result: { url: string }[];
  'source-map-cache'?: Record<string, unknown>;
}

/** Make an empty folder for raw coverage; every process started with NODE_V8_COVERAGE set to it writes there. */
export function createCoverageDir(): string {
  return mkdtempSync(join(tmpdir(), 'saferline-coverage-'));
}

/** Keep only the scripts under the given folders (as file URL prefixes), with their cached source maps. */
export function keepScriptsUnder(coverage: ProcessCoverage, prefixes: string[]): ProcessCoverage | null {
  const ours = (url: string) => prefixes.some((p) => url.startsWith(p));
  const result = coverage.result.filter((s) => ours(s.url));
  if (result.length === 0) return null;
  const maps = Object.fromEntries(Object.entries(coverage['source-map-cache'] ?? {}).filter(([url]) => ours(url)));
  return { result, 'source-map-cache': maps };
}

/**
 * Copy the raw coverage of src/ and dist/server/ from `rawDir` into a new folder, so c8 merges a few
 * hundred scripts instead of every module of node_modules in every process.
 */
function extractProjectCoverage(rawDir: string, root: string): string {
  const out = join(rawDir, 'project');
  mkdirSync(out, { recursive: true });
  const prefixes = ['src/', 'dist/server/'].map((dir) => pathToFileURL(join(root, dir)).href);
  for (const name of readdirSync(rawDir).filter((n) => n.endsWith('.json'))) {
    let coverage: ProcessCoverage;
    try {
      coverage = JSON.parse(readFileSync(join(rawDir, name), 'utf8')) as ProcessCoverage;
    } catch {
      continue; // a process killed while writing leaves a partial file
    }
    const kept = keepScriptsUnder(coverage, prefixes);
    if (kept) writeFileSync(join(out, name), JSON.stringify(kept));
  }
  return out;
}

/** Covered and total counts of one measure. */
interface Counts {
  covered: number;
  total: number;
}

/** One file's entry in c8's json-summary. */
type FileSummary = Record<'lines' | 'statements' | 'functions' | 'branches', Counts>;

/** A folder's (or all of src/'s) line counts. */
export interface FolderLines extends Counts {
  folder: string;
  files: number;
}

/** Line counts per folder of src/ (relative to root), sorted by folder, from c8's json-summary; files outside src/ are left out. */
export function summariseByFolder(summary: Record<string, FileSummary>, root: string): FolderLines[] {
  const folders = new Map<string, FolderLines>();
  for (const [file, counts] of Object.entries(summary)) {
    const folder = relative(root, dirname(file));
    if (file === 'total' || !(folder === 'src' || folder.startsWith('src/'))) continue;
    const row = folders.get(folder) ?? { folder, files: 0, covered: 0, total: 0 };
    row.files++;
    row.covered += counts.lines.covered;
    row.total += counts.lines.total;
    folders.set(folder, row);
  }
  return [...folders.values()].sort((a, b) => a.folder.localeCompare(b.folder));
}

/** Add up one measure over the files of src/. */
export function totalOf(summary: Record<string, FileSummary>, root: string, measure: keyof FileSummary): Counts {
  const sum = { covered: 0, total: 0 };
  for (const [file, counts] of Object.entries(summary)) {
    if (file === 'total' || !resolve(file).startsWith(join(root, 'src') + sep)) continue;
    sum.covered += counts[measure].covered;
    sum.total += counts[measure].total;
  }
  return sum;
}

/** A percentage with one decimal place (100 when there is nothing to cover). */
export function percentOf({ covered, total }: Counts): number {
  return total === 0 ? 100 : Math.round((covered / total) * 1000) / 10;
}

/** The per-folder table and the totals as text. */
export function formatCoverage(folders: FolderLines[], totals: Record<keyof FileSummary, Counts>): string {
  const width = Math.max(...folders.map((r) => r.folder.length), 'src/ in all'.length);
  const row = (name: string, files: string, c: Counts) => `${name.padEnd(width)}  ${files.padStart(5)}  ${`${c.covered}/${c.total}`.padStart(11)}  ${percentOf(c).toFixed(1).padStart(5)} %`;
  const lines = [`${'folder'.padEnd(width)}  files  lines (covered/total)`, ...folders.map((f) => row(f.folder, String(f.files), f))];
  lines.push(row('src/ in all', String(folders.reduce((n, f) => n + f.files, 0)), totals.lines));
  const measures = (['lines', 'statements', 'functions', 'branches'] as const).map((m) => `${m} ${percentOf(totals[m]).toFixed(1)} %`);
  lines.push('', `Coverage of src/: ${measures.join(', ')}`);
  return lines.join('\n') + '\n';
}

/**
 * Print the coverage of src/ from a raw coverage folder, by folder and in all. Returns the lines percentage,
 * or null when c8 failed; never fails the run.
 */
export function reportCoverage(rawDir: string, root = resolve(import.meta.dirname, '..')): number | null {
  const projectDir = extractProjectCoverage(rawDir, root);
  const reportsDir = join(rawDir, 'report');
  const c8 = join(root, 'node_modules/c8/bin/c8.js');
  // dist/server is remapped to its sources (src/ and the bundled parts of node_modules; only src/ is counted);
  // --all adds the files of src/ no test loaded, at 0 %.
  const args = ['report', '--temp-directory', projectDir, '--reports-dir', reportsDir, '--reporter', 'json-summary'];
  args.push('--include', 'src/**', '--include', 'dist/server/**', '--all', '--src', join(root, 'src'), '--extension', '.ts', '--extension', '.astro', '--extension', '.mjs');
  const c8Run = spawnSync(process.execPath, [c8, ...args], { cwd: root, encoding: 'utf8' });
  if (c8Run.status !== 0) {
    process.stderr.write(`coverage: c8 failed (${c8Run.status})\n${c8Run.stderr}`);
    return null;
  }
  const summary = JSON.parse(readFileSync(join(reportsDir, 'coverage-summary.json'), 'utf8')) as Record<string, FileSummary>;
  const totals = { lines: totalOf(summary, root, 'lines'), statements: totalOf(summary, root, 'statements'), functions: totalOf(summary, root, 'functions'), branches: totalOf(summary, root, 'branches') };
  process.stdout.write(`\nCoverage of src/ by folder:\n${formatCoverage(summariseByFolder(summary, root), totals)}`);
  return percentOf(totals.lines);
}

/** Remove a raw coverage folder. */
export function removeCoverageDir(rawDir: string): void {
  rmSync(rawDir, { recursive: true, force: true });
}
