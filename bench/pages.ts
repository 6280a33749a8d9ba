/**
 * Public pages per second and latency at 50 connections (GET, no If-None-Match), each beside a minimal Astro 7
 * GET route with no database (bench/minimal-astro.ts) measured in the same run. On a shared machine the load
 * drifts within seconds, so each page and the reference are measured in alternating slices (page, reference,
 * reference, page, ...) and each page is compared with the reference of its own slices. Also each page's weight:
 * HTML and linked CSS gzipped, and its script count. The server runs with the demo cases and consultations.
 * Needs a build (npm run build). Run: node bench/pages.ts [seconds per page]. Writes bench/results/pages.md.
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

/** Slices per page: the page and the reference alternate, each measured for seconds / SLICES in every slice pair. */
const SLICES = 4;

/** One autocannon run against a URL for `duration` seconds: requests, seconds, latencies and failures. */
function run(url: string, duration: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => autocannon({ url, connections, duration }, (err, r) => (err ? reject(err) : resolve(r))));
}

/** Slices combined: requests over the whole time, the median slice p50 and the worst slice p99. */
function combine(slices: autocannon.Result[]): Load {
  const p50s = slices.map((r) => r.latency.p50).sort((a, b) => a - b);
  return {
    rps: Math.round(slices.reduce((n, r) => n + r.requests.total, 0) / slices.reduce((n, r) => n + r.duration, 0)),
    p50: p50s[Math.floor(p50s.length / 2)]!,
    p99: Math.max(...slices.map((r) => r.latency.p99)),
    errors: slices.reduce((n, r) => n + r.errors + r.timeouts, 0),
    non2xx: slices.reduce((n, r) => n + r.non2xx, 0),
  };
}

/** A page and the reference after a 1 s warm-up each (not counted), in alternating slices (ABBA), seconds each in all. */
async function loadBeside(pageUrl: string, referenceUrl: string): Promise<{ page: Load; reference: Load }> {
  await run(pageUrl, 1);
  await run(referenceUrl, 1);
  const page: autocannon.Result[] = [];
  const reference: autocannon.Result[] = [];
  const slice = seconds / SLICES;
  for (let i = 0; i < SLICES; i++) {
    if (i % 2 === 0) {
      page.push(await run(pageUrl, slice));
      reference.push(await run(referenceUrl, slice));
    } else {
      reference.push(await run(referenceUrl, slice));
      page.push(await run(pageUrl, slice));
    }
  }
  return { page: combine(page), reference: combine(reference) };
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
const server = await startServer({ LOG_LEVEL: 'error', SECRET_KEY: 'bench-secret-key-0123456789', DEMO_CASES: 'true' });
const rows: { name: string; path: string; load: Load; reference: Load; kb: number; scripts: number; cache: string }[] = [];
let saferlineRss: number;
let referenceRss: number;
try {
  for (const page of PAGES) {
    const path = page.path === '/consultations/:first' ? await findFirstConsultation(server.url) : page.path;
    const weight = await weigh(server.url, path);
    const measured = await loadBeside(server.url + path, `${minimal.url}/`);
    rows.push({ ...page, path, ...weight, load: measured.page, reference: measured.reference });
  }
} finally {
  saferlineRss = peakRssMb(server.proc.pid!);
  referenceRss = peakRssMb(minimal.proc.pid!);
  await server.stop();
  await minimal.stop();
}
const loadAtEnd = loadavg().map((l) => l.toFixed(2)).join(', ');

const met = (ok: boolean) => (ok ? 'met' : 'not met');
const ratio = (r: (typeof rows)[number]) => (r.load.rps / r.reference.rps).toFixed(2);
const table = [
  '| page | req/s | minimal Astro req/s, same slices | × minimal Astro | p50 ms | p99 ms | minimal Astro p50 / p99 ms | errors | non-2xx | HTML+CSS gzipped kB | scripts | page cache |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ...rows.map((r) => `| ${r.name} \`${r.path}\` | ${r.load.rps} | ${r.reference.rps} | ${ratio(r)} | ${r.load.p50} | ${r.load.p99} | ${r.reference.p50} / ${r.reference.p99} | ${r.load.errors + r.reference.errors} | ${r.load.non2xx + r.reference.non2xx} | ${r.kb} | ${r.scripts} | ${r.cache} |`),
].join('\n');
const targets = rows
  .map((r) => `- ${r.name}: throughput ≥ 1.0× minimal Astro **${met(r.load.rps >= r.reference.rps)}** (${r.load.rps}/s, ${ratio(r)}× of ${r.reference.rps}/s); p99 < 50 ms **${met(r.load.p99 < 50)}** (${r.load.p99} ms; minimal Astro ${r.reference.p99} ms); under 30 kB HTML+CSS gzipped **${met(r.kb < 30)}** (${r.kb} kB); no JavaScript **${met(r.scripts === 0)}** (${r.scripts} scripts).`)
  .join('\n');
const text = `# Public pages benchmark\n\nRun ${new Date().toISOString()} on ${process.platform} Node ${process.version}, ${connections} connections, loopback, autocannon in the same process as the orchestration; plain GETs without If-None-Match (a cached page is sent whole, not 304). Load average at the start ${loadAtStart}; at the end ${loadAtEnd}. The reference is a throwaway Astro project (same Astro and Node adapter, standalone, no database) with one GET route answering a small HTML page, running beside Saferline. Each page and the reference get ${seconds} s each, in ${SLICES} alternating slices (page, reference, reference, page, ...) after a 1 s warm-up each that is not counted; each page is compared with the reference measured in its own slices. req/s is all requests over all slices; p50 is the median slice's, p99 the worst slice's. Saferline runs the built server with the demo content, cases and consultations, LOG_LEVEL=error. "page cache" is the first answer's X-Content-Cache header (a miss: the page is then kept; "not cached": rendered on every request).\n\n${table}\n\nPeak resident memory: Saferline ${saferlineRss} MB, minimal Astro ${referenceRss} MB.\n\nTargets (issue 18):\n\n${targets}\n`;
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/pages.md', text);
process.stdout.write(text);
