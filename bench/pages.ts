/**
 * Public pages per second and latency at 50 connections (GET, no If-None-Match), each beside a minimal Astro 7
 * GET route with no database (bench/minimal-astro.ts) measured in the same run before and after the pages (each
 * ratio is to the faster of the two), plus each page's weight: HTML and linked CSS gzipped, and its script count.
 * The server runs with the demo cases and consultations. Needs a build (npm run build).
 * Run: node bench/pages.ts [seconds]. Writes bench/results/pages.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { gzipSync } from 'node:zlib';
import autocannon from 'autocannon';
import { startServer } from '../tests/helpers/server.ts';
import { peakRssMb, startMinimalAstro } from './minimal-astro.ts';

const seconds = Number(process.argv[2] ?? 10);
const loadAtStart = loadavg().map((l) => l.toFixed(2)).join(', ');
const connections = 50;
const PAGES = [
  { path: '/', name: 'Home' },
  { path: '/report', name: 'Report start' },
  { path: '/advice/noise', name: 'Advice: noise' },
  { path: '/about', name: 'About (Markdown page)' },
  { path: '/news', name: 'News' },
  { path: '/areas/mill-lane', name: 'Area: Mill Lane ward' },
  { path: '/statistics', name: 'Statistics' },
  { path: '/consultations', name: 'Consultations' },
  { path: '/consultations/:first', name: 'A consultation' },
];

interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/** Load a URL for `duration` seconds after a 2 s warm-up whose figures are dropped. */
async function load(url: string, duration = seconds): Promise<Load> {
  if (duration > 2) await load(url, 2);
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration }, (err, r) =>
      err ? reject(err) : resolve({ rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx }),
    );
  });
}

/** HTML and linked stylesheets gzipped (kB), the number of script elements, and the cache header. */
async function weigh(base: string, path: string): Promise<{ kb: number; scripts: number; cache: string }> {
  const res = await fetch(base + path);
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
  const cache = res.headers.get('x-content-cache') ?? 'not cached';
  const html = await res.text();
  let bytes = gzipSync(html).length;
  for (const [, href] of html.matchAll(/<link[^>]+rel="stylesheet"[^>]*href="([^"]+)"/g)) bytes += gzipSync(await (await fetch(new URL(href!, base + path))).text()).length;
  for (const [, href] of html.matchAll(/<link[^>]+href="([^"]+)"[^>]*rel="stylesheet"/g)) bytes += gzipSync(await (await fetch(new URL(href!, base + path))).text()).length;
  return { kb: Math.round(bytes / 102.4) / 10, scripts: [...html.matchAll(/<script\b/g)].length, cache };
}

/** The path of the first consultation the public finder lists. */
async function findFirstConsultation(base: string): Promise<string> {
  const slug = /href="\/consultations\/([a-z0-9-]+)"/.exec(await (await fetch(`${base}/consultations`)).text())?.[1];
  if (!slug) throw new Error('the finder lists no consultation');
  return `/consultations/${slug}`;
}

const minimal = await startMinimalAstro();
const referenceBefore = await load(`${minimal.url}/`);

const server = await startServer({ LOG_LEVEL: 'error', SECRET_KEY: 'bench-secret-key-0123456789', DEMO_CASES: 'true' });
const rows: { name: string; path: string; load: Load; kb: number; scripts: number; cache: string }[] = [];
let saferlineRss: number;
try {
  for (const page of PAGES) {
    const path = page.path === '/consultations/:first' ? await findFirstConsultation(server.url) : page.path;
    const weight = await weigh(server.url, path);
    rows.push({ ...page, path, ...weight, load: await load(server.url + path) });
  }
} finally {
  saferlineRss = peakRssMb(server.proc.pid!);
  await server.stop();
}
const referenceAfter = await load(`${minimal.url}/`);
const referenceRss = peakRssMb(minimal.proc.pid!);
await minimal.stop();
const reference = referenceAfter.rps > referenceBefore.rps ? referenceAfter : referenceBefore;

const met = (ok: boolean) => (ok ? 'met' : 'not met');
const table = [
  '| page | req/s | × minimal Astro | p50 ms | p99 ms | errors | non-2xx | HTML+CSS gzipped kB | scripts | page cache |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  `| minimal Astro 7 GET route, no database (reference, before the pages) | ${referenceBefore.rps} | ${(referenceBefore.rps / reference.rps).toFixed(2)} | ${referenceBefore.p50} | ${referenceBefore.p99} | ${referenceBefore.errors} | ${referenceBefore.non2xx} | | | |`,
  `| minimal Astro 7 GET route, no database (reference, after the pages) | ${referenceAfter.rps} | ${(referenceAfter.rps / reference.rps).toFixed(2)} | ${referenceAfter.p50} | ${referenceAfter.p99} | ${referenceAfter.errors} | ${referenceAfter.non2xx} | | | |`,
  ...rows.map((r) => `| ${r.name} \`${r.path}\` | ${r.load.rps} | ${(r.load.rps / reference.rps).toFixed(2)} | ${r.load.p50} | ${r.load.p99} | ${r.load.errors} | ${r.load.non2xx} | ${r.kb} | ${r.scripts} | ${r.cache} |`),
].join('\n');
const targets = rows
  .map((r) => `- ${r.name}: throughput ≥ 1.0× minimal Astro **${met(r.load.rps >= reference.rps)}** (${r.load.rps}/s, ${(r.load.rps / reference.rps).toFixed(2)}× of ${reference.rps}/s); p99 < 50 ms **${met(r.load.p99 < 50)}** (${r.load.p99} ms; minimal Astro ${reference.p99} ms); under 30 kB HTML+CSS gzipped **${met(r.kb < 30)}** (${r.kb} kB); no JavaScript **${met(r.scripts === 0)}** (${r.scripts} scripts).`)
  .join('\n');
const text = `# Public pages benchmark\n\nRun ${new Date().toISOString()} on ${process.platform} Node ${process.version}, ${connections} connections, ${seconds} s per page, loopback, autocannon in the same process as the orchestration, each after a 2 s warm-up that is not counted; plain GETs without If-None-Match (a cached page is sent whole, not 304). Load average at the start: ${loadAtStart}. The reference is a throwaway Astro project (same Astro and Node adapter, standalone, no database) with one GET route answering a small HTML page, measured in the same run before and after Saferline's pages; each ratio is to the faster of the two. Saferline runs the built server with the demo content, cases and consultations. "page cache" is the first answer's X-Content-Cache header (a miss: the page is then kept; "not cached": rendered on every request).\n\n${table}\n\nPeak resident memory: Saferline ${saferlineRss} MB, minimal Astro ${referenceRss} MB.\n\nTargets (issue 18):\n\n${targets}\n`;
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/pages.md', text);
process.stdout.write(text);
