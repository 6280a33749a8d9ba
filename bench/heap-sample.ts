/**
 * Preloaded into a benchmarked server (node --import) when BENCH_HEAP_PROFILE names a folder: V8's sampling heap
 * profiler, counting objects later collected as well as those kept, so that it measures what the server allocates
 * (which sets the garbage collector's work), not only what it holds. SIGUSR2 starts it (sent when the load starts);
 * at SIGTERM the profile is written to that folder as heap-<pid>.heapprofile (Chrome DevTools opens it) and the
 * bytes allocated are written to stderr as one JSON line, {"benchHeapSample":{"bytes":…}}.
 */
import { Session } from 'node:inspector';
import { writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.BENCH_HEAP_PROFILE;
if (dir) {
  const session = new Session();
  session.connect();
  let started = false;
  process.on('SIGUSR2', () => {
    if (started) return;
    started = true;
    session.post('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  });
  process.prependListener('SIGTERM', () => {
    if (!started) return;
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (error) return;
      writeFileSync(join(dir, `heap-${process.pid}.heapprofile`), JSON.stringify(result.profile));
      writeSync(2, `${JSON.stringify({ benchHeapSample: { bytes: allocatedBytes(result.profile.head) } })}\n`);
    });
  });
}

/** The bytes a sampling heap profile's tree records. */
function allocatedBytes(node: { selfSize: number; children: { selfSize: number; children: unknown[] }[] }): number {
  let total = node.selfSize;
  for (const child of node.children) total += allocatedBytes(child as typeof node);
  return total;
}
