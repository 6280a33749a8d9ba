/**
 * Preloaded into a benchmarked server (node --import): samples its event-loop delay with perf_hooks'
 * monitorEventLoopDelay. SIGUSR2 resets the histogram (sent when the load starts); at SIGTERM the figures
 * are written to stderr as one JSON line, {"benchLoopDelay":{...}} in milliseconds, before the server's own
 * shutdown runs (a server with no SIGTERM handler of its own then exits).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeSync } from 'node:fs';

const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();
const ms = (ns: number) => Math.round(ns / 1e4) / 100;

process.on('SIGUSR2', () => histogram.reset());
process.prependListener('SIGTERM', () => {
  histogram.disable();
  const figures = { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max), mean: ms(histogram.mean) };
  writeSync(2, `${JSON.stringify({ benchLoopDelay: figures })}\n`);
  if (process.listenerCount('SIGTERM') === 1) process.exit(0);
});
