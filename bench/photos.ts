/**
 * Four concurrent 9 MB photo uploads (49-megapixel PNGs, the worst case the limits allow) while another visitor asks
 * for a page again and again: that page's latency during the uploads beside the same page's latency with no uploads
 * (the reference, same run), the server's peak resident memory (VmHWM) beside its memory before the uploads, and its
 * event-loop delay during them (monitorEventLoopDelay, preloaded from bench/loop-delay.ts). The other visitor is a
 * process of its own (bench/page-probe.ts), as another client would be. The server runs with the
 * flags of `npm run serve`. Needs a build (npm run build). Run: node bench/photos.ts. Writes bench/results/photos.md.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { serveCommand } from './serve-command.ts';
import { startServer } from '../tests/helpers/server.ts';
import { ANSWERS_BEFORE_PHOTOS, Visitor } from '../tests/helpers/http.ts';
import { loopDelayOf, peakRssMb } from './minimal-astro.ts';

const uploads = 4;
const side = 7000; // 49 megapixels, under the 50-megapixel limit
const importLoopDelay = `--import=${pathToFileURL(resolve(import.meta.dirname, 'loop-delay.ts')).href}`;
const serve = serveCommand();

/** A PNG of side × side pixels of about 9 MB: a smooth gradient with enough rows of noise to reach the size. */
async function largePng(): Promise<Buffer> {
  const pixels = Buffer.alloc(side * side * 3);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) pixels.writeUIntBE(((x * 255) / side) << 16 | ((y * 255) / side) << 8 | 128, (y * side + x) * 3, 3);
  const noiseRows = 370;
  for (let i = 0; i < noiseRows * side * 3; i++) pixels[i] = Math.floor(Math.random() * 256);
  return sharp(pixels, { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 6 }).toBuffer();
}

/** The current resident memory of a process in MB (VmRSS). */
function rssMb(pid: number): number {
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
}

/** CPU time used so far, in ms (user + system, from /proc): the whole process, and its main thread (where the event loop runs). */
function cpuMs(pid: number): { process: number; main: number } {
  const ticks = (stat: string) => stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(11, 13).reduce((n, v) => n + Number(v), 0) * 10;
  return { process: ticks(readFileSync(`/proc/${pid}/stat`, 'utf8')), main: ticks(readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8')) };
}

/** A visitor at the photos step of the report journey, having seen its page. */
async function visitorAtPhotos(url: string): Promise<Visitor> {
  const v = new Visitor(url);
  for (const [path, body] of ANSWERS_BEFORE_PHOTOS) {
    const res = await v.post(path, body);
    if (res.status !== 303) throw new Error(`${path} answered ${res.status}`);
  }
  // The page itself, as a resident sees it before choosing a file.
  const page = await v.get('/report/photos');
  if (page.status !== 200) throw new Error(`/report/photos answered ${page.status}`);
  await page.arrayBuffer();
  return v;
}

/**
 * Another visitor asking for a page one request at a time, from a process of its own (bench/page-probe.ts), so that this
 * process's work sending the uploads is not counted as the server's. next() starts a new segment; stop() ends it and
 * gives the latencies of each segment, in ms (the first is its warm-up).
 */
async function startProbe(url: string): Promise<{ next: () => void; stop: () => Promise<number[][]> }> {
  const child = spawn(process.execPath, [resolve(import.meta.dirname, 'page-probe.ts'), url], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const ready = new Promise<void>((r) => child.stdout.on('data', (d) => ((out += d), out.startsWith('ready\n') && r())));
  const exited = new Promise((r) => child.on('exit', r));
  await ready;
  return {
    next: () => void child.stdin.write('\n'),
    stop: async () => {
      child.stdin.end();
      await exited;
      return JSON.parse(out.slice('ready\n'.length)) as number[][];
    },
  };
}

/** The p-th percentile of some numbers. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 10) / 10 : NaN;
}

const loadStart = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const png = await largePng();
const server = await startServer({ LOG_LEVEL: 'error', DEMO_MODE: 'false', SECRET_KEY: 'bench-secret-key-0123456789', ...serve.env, NODE_OPTIONS: [importLoopDelay, process.env.BENCH_PROFILE ? `--cpu-prof --cpu-prof-dir=${process.env.BENCH_PROFILE}` : ''].filter(Boolean).join(' ') }, { nodeArgs: serve.nodeArgs });
const page = `${server.url}/report`;
const visitors = await Promise.all(Array.from({ length: uploads }, () => visitorAtPhotos(server.url)));
const probe = await startProbe(page);
// Reference: the same page with nothing else going on, for as long as a quiet second.
probe.next();
await new Promise((r) => setTimeout(r, 1000));
probe.next();
const rssBefore = rssMb(server.proc.pid!);
server.proc.kill('SIGUSR2');
const cpuBefore = cpuMs(server.proc.pid!);
const started = performance.now();
const sending = Promise.all(
  visitors.map((v) => {
    const form = new FormData();
    form.append('photos', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'wall.png');
    form.append('intent', 'upload');
    return v.post('/report/photos', form).then(async (res) => ({ status: res.status, ms: performance.now() - started, text: res.status === 303 ? '' : (await res.text()).slice(0, 200) }));
  }),
);
const answers = await sending;
const [, quiet, during] = (await probe.stop()) as [number[], number[], number[]];
const peak = peakRssMb(server.proc.pid!);
const cpuAfter = cpuMs(server.proc.pid!);
await server.stop();
const loop = loopDelayOf(server.output());
const stored = answers.filter((a) => a.status === 303).length;
const text = `# Photo upload benchmark

Run ${new Date().toISOString()} on ${process.platform} Node ${process.version}. ${uploads} uploads at once of one ${(png.length / 1048576).toFixed(1)} MB PNG (${side} × ${side} pixels, ${((side * side) / 1e6).toFixed(0)} megapixels), each from its own draft whose visitor has just seen the photos page, while another visitor (a process of its own, bench/page-probe.ts) asks for \`/report\` one request at a time. The server runs with the flags of \`npm run serve\` (${serve.text || 'none'}); photos are processed one at a time (PHOTO_JOBS) by sharp with one libvips thread.

| | figure |
|---|---:|
| uploads stored (303) | ${stored} of ${uploads}${answers.some((a) => a.status !== 303) ? ` (others: ${answers.filter((a) => a.status !== 303).map((a) => `${a.status} ${a.text}`).join('; ')})` : ''} |
| last upload answered after | ${Math.round(Math.max(...answers.map((a) => a.ms)))} ms |
| \`/report\` during the uploads: requests, p50, p99, max | ${during.length}, ${percentile(during, 50)} ms, ${percentile(during, 99)} ms, ${percentile(during, 100)} ms |
| reference, \`/report\` with nothing else running: requests, p50, p99, max | ${quiet.length}, ${percentile(quiet, 50)} ms, ${percentile(quiet, 99)} ms, ${percentile(quiet, 100)} ms |
| resident memory before the uploads | ${rssBefore} MB |
| peak resident memory (VmHWM) | ${peak} MB |
| event-loop delay during the uploads: p99, max | ${loop?.p99 ?? 'n/a'} ms, ${loop?.max ?? 'n/a'} ms |
| server CPU during the uploads (and the other visitor's requests): main thread, whole process | ${cpuAfter.main - cpuBefore.main} ms, ${cpuAfter.process - cpuBefore.process} ms |
| load average at the start and at the end (\`/proc/loadavg\`, 2 cores shared) | ${loadStart}; ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} |

Targets (issue 18): other requests under 200 ms during the uploads: worst ${percentile(during, 100)} ms, **${percentile(during, 100) < 200 ? 'met' : 'not met'}**; memory under 300 MB: ${peak} MB, **${peak < 300 ? 'met' : 'not met'}**.
`;
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/photos.md', text);
process.stdout.write(text);
