/**
 * Report submissions per second and latency at 50 connections, Saferline beside two references in the same
 * run on the same machine: a bare node:http server doing one durable INSERT per request, and a minimal Astro
 * POST route with no database (bench/minimal-astro.ts). For each server, its peak resident memory (VmHWM) and
 * its event-loop delay during the load (monitorEventLoopDelay, preloaded from bench/loop-delay.ts).
 * Needs a build (npm run build). Run: node bench/submit.ts [seconds]. Writes bench/results/submit.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { createClient } from '@libsql/client';
import { serveCommand } from './serve-command.ts';
import { startServer } from '../tests/helpers/server.ts';
import { freePort } from '../tests/helpers/server.ts';
import { loopDelayOf, peakRssMb, startMinimalAstro } from './minimal-astro.ts';

const seconds = Number(process.argv[2] ?? 15);
/** The machine's load average (1, 5 and 15 minutes) when the run starts: the figures mean little on a busy machine. */
const loadAtStart = loadavg().map((n) => n.toFixed(2)).join(' ');
/** What one run of Saferline saw besides its row of figures. */
interface SaferlineExtras {
  stored: number;
  /** Cases still waiting for their flag refresh when the load ended, and how long after it every case had its flags. */
  flagBacklog: number;
  flagCatchUpS: number;
  /** Acknowledgement e-mails the outbox had sent when the load ended (it sends beside the submissions), and when all were sent. */
  mailSentDuringLoad: number;
  mailCatchUpS: number;
  writerStats: { commits: number; jobs: number; largestGroup: number };
  /** process.memoryUsage() in MB when it stopped, after the load and the catch-up. */
  memory: Record<string, number> | undefined;
  /** Bytes the event loop allocated per submission during the load and the flag catch-up, in kB (BENCH_HEAP_PROFILE only). */
  allocatedKb: number | undefined;
}
const saferlineRuns: SaferlineExtras[] = [];
const connections = 50;
/** How `npm run serve` starts the server (its environment and Node flags, from package.json), so the bench measures the server as deployed. */
const serve = serveCommand();
const loopDelayModule = resolve(import.meta.dirname, 'loop-delay.ts');
const importLoopDelay = `--import=${pathToFileURL(loopDelayModule).href}`;
/** BENCH_HEAP_PROFILE=<dir>: also measure what Saferline allocates during the load (bench/heap-sample.ts). */
const importHeapSample = process.env.BENCH_HEAP_PROFILE ? [`--import=${pathToFileURL(resolve(import.meta.dirname, 'heap-sample.ts')).href}`] : [];

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx3xx: number;
  acknowledged: number;
  stored: number | null;
  rssMb: number;
  loopP99: number;
  loopMax: number;
  /** The histogram's own p99, which includes the sampling timer's 10 ms interval. */
  loopRawP99: number;
  /** Server CPU time (user + system) per answered request during the load: a figure a busy machine disturbs less than req/s. */
  cpuMs: number;
}

/** CPU time (user + system) a process has used so far, in milliseconds (from /proc; clock ticks of 10 ms). */
function cpuTimeMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

type LoopDelay = ReturnType<typeof loopDelayOf>;

function load(url: string, setup: (i: number) => { body: string; headers: Record<string, string> }): Promise<autocannon.Result & { acknowledged: number }> {
  let i = 0;
  let acknowledged = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration: seconds,
        method: 'POST',
        requests: [
          {
            method: 'POST',
            setupRequest: (req: Record<string, unknown>) => {
              const s = setup(i++);
              return { ...req, body: s.body, headers: { ...(req.headers as object), ...s.headers } };
            },
            onResponse: (status: number, body: string) => {
              if (status === 303) acknowledged++;
              else if (process.env.BENCH_DEBUG) process.stderr.write(`${status} ${body.slice(0, 300)}\n`);
            },
          } as never,
        ],
      },
      (err, result) => (err ? reject(err) : resolve({ ...result, acknowledged })),
    );
    void instance;
  });
}

const description = 'Loud music from the flat above every night after midnight, for three weeks now.';

async function benchReference(): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'saferline-ref-'));
  const port = await freePort();
  const proc: ChildProcess = spawn(process.execPath, [importLoopDelay, 'bench/reference-server.ts', String(port), join(dir, 'ref.db')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  await new Promise<void>((res) => proc.stdout!.once('data', () => res()));
  proc.kill('SIGUSR2');
  const cpuBefore = cpuTimeMs(proc.pid!);
  const result = await load(`http://127.0.0.1:${port}/`, () => ({
    body: new URLSearchParams({ category: 'noise', description, postcode: 'HW1 3AB' }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  }));
  const rss = peakRssMb(proc.pid!);
  const cpu = cpuTimeMs(proc.pid!) - cpuBefore;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
  const db = createClient({ url: `file:${join(dir, 'ref.db')}` });
  const stored = Number((await db.execute('SELECT count(*) AS n FROM reports')).rows[0]!.n);
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return row('bare node:http, one INSERT per request', result, stored, rss, loopDelayOf(err), cpu);
}

async function benchMinimalAstro(): Promise<Row> {
  const server = await startMinimalAstro(loopDelayModule);
  server.proc.kill('SIGUSR2');
  const cpuBefore = cpuTimeMs(server.proc.pid!);
  const result = await load(`${server.url}/`, () => ({
    body: new URLSearchParams({ category: 'noise', description, postcode: 'HW1 3AB' }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
  }));
  const rss = peakRssMb(server.proc.pid!);
  const cpu = cpuTimeMs(server.proc.pid!) - cpuBefore;
  await server.stop();
  return row('minimal Astro 7 POST route, no database', result, null, rss, loopDelayOf(server.stderr()), cpu);
}

function row(name: string, r: autocannon.Result & { acknowledged: number }, stored: number | null, rss: number, loop: LoopDelay, cpu: number): Row {
  return {
    name,
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx3xx: r.non2xx,
    acknowledged: r.acknowledged,
    stored,
    rssMb: rss,
    loopP99: loop?.p99 ?? NaN,
    loopMax: loop?.max ?? NaN,
    loopRawP99: loop?.raw.p99 ?? NaN,
    cpuMs: Math.round((cpu / Math.max(1, r.requests.total)) * 100) / 100,
  };
}

async function benchSaferline(): Promise<Row> {
  const server = await startServer({ LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error', REPORTS_PER_HOUR_PER_ADDRESS: '100000000', DEMO_MODE: 'false', SECRET_KEY: 'bench-secret-key-0123456789', ...serve.env, NODE_OPTIONS: [importLoopDelay, ...importHeapSample, ...(process.env.BENCH_PROFILE ? [`--cpu-prof --cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [])].join(' ') }, { nodeArgs: serve.nodeArgs });
  const db = createClient({ url: server.dbUrl, timeout: 5000 });
  // Complete drafts, one per submission, as if residents had answered every question.
  const drafts = Math.max(20_000, seconds * 4000);
  const now = Date.now();
  const template = ({ danger: 'no', category: 'noise', description, whenKind: 'approx', whenText: 'Every night', postcode: 'HW1 3AB', place: '', ward: 'mill-lane', people: '', affected: 'household', before: 'yes', photos: [], privacy: 'named', name: 'Bench Resident', email: 'bench@example.com', phone: '', phoneE164: '', preferredContact: 'email', consentShare: 'no' });
  const data = (i: number) => JSON.stringify({ ...template, email: `bench${i}@example.com` });
  const ids: string[] = [];
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  for (let i = 0; i < drafts; i++) {
    let n = i;
    let s = '';
    do {
      s = alphabet[n % 32] + s;
      n = Math.floor(n / 32);
    } while (n > 0);
    ids.push(('b' + s.padStart(31, 'a')).slice(0, 32));
  }
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    await db.execute({
      sql: `INSERT INTO drafts (id, kind, data, created_at, updated_at) VALUES ${chunk.map(() => "(?, 'report', ?, ?, ?)").join(',')}`,
      args: chunk.flatMap((id, j) => [id, data(i + j), now, now]),
    });
  }
  const unique = new Set(ids);
  if (unique.size !== ids.length) throw new Error('draft ids collide');
  server.proc.kill('SIGUSR2');
  const cpuBefore = cpuTimeMs(server.proc.pid!);
  const result = await load(`${server.url}/report/check`, (i) => ({
    body: 'website=',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url, cookie: `draft=${ids[i % ids.length]}` },
  }));
  const rss = peakRssMb(server.proc.pid!);
  const cpu = cpuTimeMs(server.proc.pid!) - cpuBefore;
  const writerStats = (await (await fetch(`${server.url}/healthz`)).json()).writer as SaferlineExtras['writerStats'];
  // Every bench case is the same category at the same postcode, so each must end with the ASB Case Review flag.
  // Those still without them when the load ends are the flag refresh's backlog (it runs after the answer).
  const unflagged = async () => Number((await db.execute("SELECT count(*) AS n FROM cases WHERE flags NOT LIKE '%asb_case_review%'")).rows[0]!.n);
  const mailSentDuringLoad = Number((await db.execute("SELECT count(*) AS n FROM outbox WHERE status = 'sent'")).rows[0]!.n);
  const flagBacklog = await unflagged();
  const loadEnded = performance.now();
  while ((await unflagged()) > 0 && performance.now() - loadEnded < 120_000) await new Promise((r) => setTimeout(r, 250));
  const flagCatchUpS = (await unflagged()) === 0 ? Math.round((performance.now() - loadEnded) / 100) / 10 : NaN;
  // Counted after the catch-up, so that requests still in flight when the load ended have committed.
  const stored = Number((await db.execute('SELECT count(*) AS n FROM cases')).rows[0]!.n);
  const unsent = async () => Number((await db.execute("SELECT count(*) AS n FROM outbox WHERE status <> 'sent'")).rows[0]!.n);
  // BENCH_SKIP_MAIL_WAIT=1 (comparing builds) does not wait for the outbox to catch up.
  while (!process.env.BENCH_SKIP_MAIL_WAIT && (await unsent()) > 0 && performance.now() - loadEnded < 180_000) await new Promise((r) => setTimeout(r, 250));
  const mailCatchUpS = (await unsent()) === 0 ? Math.round((performance.now() - loadEnded) / 100) / 10 : NaN;
  const outbox = Number((await db.execute('SELECT count(*) AS n FROM outbox')).rows[0]!.n);
  if (process.env.BENCH_LOG_LEVEL) process.stderr.write(server.output());
  db.close();
  await server.stop();
  if (outbox !== stored) throw new Error(`outbox rows ${outbox} != cases ${stored}`);
  const loop = loopDelayOf(server.output());
  const heapLine = server.output().split('\n').find((l) => l.startsWith('{"benchHeapSample"'));
  const allocatedKb = heapLine === undefined ? undefined : Math.round((JSON.parse(heapLine) as { benchHeapSample: { bytes: number } }).benchHeapSample.bytes / 1024 / Math.max(1, result.requests.total) * 10) / 10;
  saferlineRuns.push({ stored, flagBacklog, flagCatchUpS, mailSentDuringLoad, mailCatchUpS, writerStats, memory: loop?.memory, allocatedKb });
  return row('Saferline POST /report/check (case + reporter + timeline + audit + outbox + rate limit)', result, stored, rss, loop, cpu);
}

const skipped: Row = { name: 'skipped', rps: 1, p50: 0, p99: 0, errors: 0, non2xx3xx: 0, acknowledged: 0, stored: 0, rssMb: 0, loopP99: NaN, loopMax: NaN, loopRawP99: NaN, cpuMs: NaN };

/**
 * BENCH_ROUNDS runs of each server (default 2), in the order reference, minimal Astro, Saferline, then back again
 * (Saferline, minimal Astro, reference), and so on: a change in the machine's speed during the bench falls on the
 * three alike instead of on whichever ran at the time. Each run starts its server afresh.
 */
const rounds = Math.max(1, Math.floor(Number(process.env.BENCH_ROUNDS ?? 2)));
const only = process.env.BENCH_ONLY === 'saferline';
type ServerName = 'reference' | 'minimal' | 'saferline';
const runs: Record<ServerName, Row[]> = { reference: [], minimal: [], saferline: [] };
const runOrder: string[] = [];
const benchOf: Record<ServerName, () => Promise<Row>> = { reference: benchReference, minimal: benchMinimalAstro, saferline: benchSaferline };
for (let round = 0; round < rounds; round++) {
  const order: ServerName[] = round % 2 === 0 ? ['reference', 'minimal', 'saferline'] : ['saferline', 'minimal', 'reference'];
  for (const name of order) {
    if (only && name !== 'saferline') continue;
    runs[name].push(await benchOf[name]());
    runOrder.push(`${name} ${runs[name].length}`);
  }
}

/** One row for a server's runs: throughput, p50 and CPU per request averaged; p99, memory and loop delay the worst; counts added. */
function combine(list: Row[]): Row {
  if (list.length === 1) return list[0]!;
  const mean = (f: (r: Row) => number) => list.reduce((sum, r) => sum + f(r), 0) / list.length;
  const worst = (f: (r: Row) => number) => Math.max(...list.map(f));
  const total = (f: (r: Row) => number) => list.reduce((sum, r) => sum + f(r), 0);
  return {
    name: `${list[0]!.name}, ${list.length} runs`,
    rps: Math.round(mean((r) => r.rps)),
    p50: Math.round(mean((r) => r.p50)),
    p99: worst((r) => r.p99),
    errors: total((r) => r.errors),
    non2xx3xx: total((r) => r.non2xx3xx),
    acknowledged: total((r) => r.acknowledged),
    stored: list[0]!.stored === null ? null : total((r) => r.stored ?? 0),
    rssMb: worst((r) => r.rssMb),
    loopP99: worst((r) => r.loopP99),
    loopMax: worst((r) => r.loopMax),
    loopRawP99: worst((r) => r.loopRawP99),
    cpuMs: Math.round(mean((r) => r.cpuMs) * 100) / 100,
  };
}

const reference = only ? skipped : combine(runs.reference);
const minimal = only ? skipped : combine(runs.minimal);
const saferline = combine(runs.saferline);
const rows = [reference, minimal, saferline];
const header = [
  '| server | req/s | p50 ms | p99 ms | errors | non-2xx | acknowledged (303) | rows stored | peak RSS MB | event-loop delay p99 ms | max ms | histogram p99 ms (with the 10 ms interval) | server CPU ms per request |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
];
const line = (r: Row) => `| ${r.name} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx3xx} | ${r.acknowledged} | ${r.stored ?? 'n/a'} | ${r.rssMb} | ${r.loopP99} | ${r.loopMax} | ${r.loopRawP99} | ${r.cpuMs} |`;
const table = [...header, ...rows.map(line)].join('\n');
const eachRun = rounds > 1 ? [...header, ...runOrder.map((key) => { const [name, n] = key.split(' ') as [ServerName, string]; const r = runs[name][Number(n) - 1]!; return line({ ...r, name: `${r.name.split(' (')[0]} (run ${n})` }); })].join('\n') : '';
const each = <T,>(f: (x: SaferlineExtras) => T, show: (v: T) => string) => saferlineRuns.map((x) => show(f(x))).join('; ');
const ratio = (saferline.rps / reference.rps).toFixed(2);
const ratioMinimal = (saferline.rps / minimal.rps).toFixed(2);
const lost = saferline.acknowledged - (saferline.stored ?? 0);
const met = (ok: boolean) => (ok ? 'met' : 'not met');
const targets = [
  `- Throughput at least the bare node:http reference (1.0x): ${ratio}x, **${met(saferline.rps >= reference.rps)}**.`,
  `- Intermediate mark, at least 0.6x the minimal Astro POST route: ${ratioMinimal}x, **${met(saferline.rps >= 0.6 * minimal.rps)}**.`,
  `- p99 under 100 ms at ${connections} connections: ${saferline.p99} ms, **${met(saferline.p99 < 100)}**.`,
  `- Peak resident memory under 200 MB: ${saferline.rssMb} MB (bare reference ${reference.rssMb} MB, minimal Astro ${minimal.rssMb} MB), **${met(saferline.rssMb < 200)}**.`,
  `- Event-loop delay p99 under 20 ms during the load (beyond the 10 ms sampling interval; the histogram's own p99 is ${saferline.loopRawP99} ms): ${saferline.loopP99} ms (bare reference ${reference.loopP99} ms, minimal Astro ${minimal.loopP99} ms), **${met(saferline.loopP99 < 20)}**.`,
  `- Every acknowledged submission stored: acknowledged but not stored **${lost}**, **${met(lost <= 0)}**.`,
].join('\n');
const mailCatchUp = (x: SaferlineExtras) => (process.env.BENCH_SKIP_MAIL_WAIT ? '(not waited for: BENCH_SKIP_MAIL_WAIT)' : Number.isNaN(x.mailCatchUpS) ? 'not within 180 s' : `${x.mailCatchUpS} s`);
const memoryText = (m: Record<string, number> | undefined) => (m ? `resident ${m.rss}, V8 heap ${m.heapUsed} used of ${m.heapTotal}, outside the heap ${m.external} (array buffers ${m.arrayBuffers})` : 'not reported');
const allocated = saferlineRuns.some((x) => x.allocatedKb !== undefined)
  ? `\n\nAllocated on Saferline's event loop (V8's sampling heap profiler, collected objects included, from the start of the load to the end of the flag catch-up; BENCH_HEAP_PROFILE), kB per submission: ${each((x) => x.allocatedKb, String)}.`
  : '';
const text = `# Report submission benchmark

Run ${new Date().toISOString()} on ${process.platform} Node ${process.version}, ${connections} connections, ${seconds} s a run, ${rounds} run${rounds > 1 ? 's' : ''} of each server${rounds > 1 ? ' in the order reference, minimal Astro, Saferline and back (so that a change in the machine\'s speed falls on all three alike), each server started afresh for each run' : ''}; loopback, autocannon in the same process as the orchestration; load average ${loadAtStart} at the start and ${loadavg().map((n) => n.toFixed(2)).join(' ')} at the end.
The bare reference and Saferline use a libSQL file in WAL mode with synchronous=FULL (every acknowledged commit is durable); the minimal Astro route (a throwaway Astro project, same Astro and Node adapter, standalone) parses the form and answers 303 with no database.
Saferline runs with the flags of \`npm run serve\` (${serve.text || 'none'}). Peak RSS is the server process's high-water mark (VmHWM) after the load; event-loop delay is sampled inside each server by monitorEventLoopDelay (10 ms resolution) from the start of the load to SIGTERM, and is how late the loop came back to the sampling timer: the histogram's figure less the timer's 10 ms interval, which the histogram includes (an idle process reads about 10.2 ms; bench/loop-delay.ts). The histogram's own p99 is shown beside it.${rounds > 1 ? ' With several runs, req/s, p50 and CPU per request are the mean of the runs, p99, peak RSS and loop delay the worst run, and the counts their sum.' : ''}

${table}
${eachRun ? `\nEach run, in the order run:\n\n${eachRun}\n` : ''}
Targets (issue 18):

${targets}

Saferline / bare reference: **${ratio}x**; Saferline / minimal Astro: **${ratioMinimal}x**. Acknowledged but not stored: **${lost}** (must be 0 or negative: a 303 is only sent after the commit).

Repeat flags (each Saferline run): ${each((x) => x, (x) => `${x.flagBacklog} of ${x.stored} cases were still waiting for their flag refresh when the load ended, and every case had its flags ${Number.isNaN(x.flagCatchUpS) ? 'not within 120 s' : `${x.flagCatchUpS} s`} after the load`)} (the refresh runs after the answer, one pass at a time, in slices of 5 ms between requests).

Acknowledgement e-mails (each Saferline run): ${each((x) => x, (x) => `${x.mailSentDuringLoad} of ${x.stored} sent by the outbox (to .eml files, no SMTP_URL) when the load ended, all sent ${mailCatchUp(x)} after the load`)}.

Saferline's writer queue (each run): ${each((x) => x.writerStats, (w) => `${w.jobs} write jobs in ${w.commits} commits (${(w.jobs / Math.max(1, w.commits)).toFixed(1)} jobs per commit on average, largest group ${w.largestGroup})`)}.

Saferline's memory when it stopped (${process.env.BENCH_SKIP_MAIL_WAIT ? 'after the flag refresh caught up' : 'after the catch-up'}; MB; each run): ${each((x) => x.memory, memoryText)}.${allocated}
`;
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/submit.md', text);
process.stdout.write(text);
