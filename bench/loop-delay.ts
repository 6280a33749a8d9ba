/**
 * Preloaded into a benchmarked server (node --import): samples its event-loop delay with perf_hooks'
 * monitorEventLoopDelay. SIGUSR2 resets the histogram (sent when the load starts); at SIGTERM the figures
 * are written to stderr as one JSON line, {"benchLoopDelay":{...}} in milliseconds, before the server's own
 * shutdown runs (a server with no SIGTERM handler of its own then exits).
 *
 * The histogram records the time between the sampling timer's callbacks, so it includes the timer's own interval
 * (RESOLUTION_MS): an idle process reads about 10.2 ms at p50 (nodejs/node#34661; monitoring agents subtract it,
 * open-telemetry/opentelemetry-js-contrib#2794). The delay reported (p50, p99, max, mean) is the histogram less that
 * interval, how late the loop came back to a timer; the histogram's own figures are kept as `raw`.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeSync } from 'node:fs';

const RESOLUTION_MS = 10;
const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
histogram.enable();
const ms = (ns: number) => Math.round(ns / 1e4) / 100;
/** How late the loop came back to the timer: a histogram figure less the timer's interval. */
const late = (ns: number) => Math.max(0, ms(ns - RESOLUTION_MS * 1e6));

process.on('SIGUSR2', () => histogram.reset());
process.prependListener('SIGTERM', () => {
  histogram.disable();
  const figures = {
    p50: late(histogram.percentile(50)),
    p99: late(histogram.percentile(99)),
    max: late(histogram.max),
    mean: late(histogram.mean),
    raw: { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) },
    resolutionMs: RESOLUTION_MS,
    // Where the memory is when the load has ended (MB): V8's heap (used and reserved), memory outside it, and the process.
    memory: Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, Math.round(v / 1048576)])),
  };
  writeSync(2, `${JSON.stringify({ benchLoopDelay: figures })}\n`);
  if (process.listenerCount('SIGTERM') === 1) process.exit(0);
});
