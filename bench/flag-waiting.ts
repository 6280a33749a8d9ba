/**
 * Memory of the cases waiting for their flag refresh during a long surge: the heap held by FlagWaitingList (ids up to
 * FLAG_WAITING_BY_ID, the rest as a span of received times) after a given number of new cases, beside the reference,
 * a Map holding every waiting case's id (the list before it was bounded), measured in the same run. No database is
 * needed: adding a case does not read one. Run: npm run bench:flag-waiting [-- cases]. Writes bench/results/flag-waiting.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { FLAG_WAITING_BY_ID, FlagWaitingList } from '../src/domains/cases/flag-waiting.ts';
import { newId } from '../src/platform/security/ids.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc (npm run bench:flag-waiting does)');

/** Two minutes of new cases at 3,500 a second, the submission bench's rate: a surge the flag refresh waits out. */
const cases = Number(process.argv[2] ?? 420_000);
const start = Date.now();

/** Heap used after a full collection, in bytes. */
function heapUsed(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

/** The heap a structure holds once `cases` new cases are added to it (each a new id, received a little after the last). */
function heldBytes(make: () => { add: (id: string, receivedAt: number, since: number) => void }): { bytes: number; keep: unknown } {
  const before = heapUsed();
  const list = make();
  for (let i = 0; i < cases; i++) {
    const receivedAt = start + Math.floor(i / 4);
    list.add(newId(receivedAt), receivedAt, performance.now());
  }
  return { bytes: heapUsed() - before, keep: list };
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const reference = heldBytes(() => {
  const map = new Map<string, number>();
  return { add: (id, _receivedAt, since) => void map.set(id, since) };
});
const bounded = heldBytes(() => new FlagWaitingList());
const list = bounded.keep as FlagWaitingList;

const text = `# Flag refresh waiting list: memory during a long surge

Run ${new Date().toISOString()} on ${process.platform} Node ${process.version}: ${cases.toLocaleString('en-GB')} new cases waiting for their flag refresh (two minutes at 3,500 submissions a second, the longest a pass waits under load), each a real case id.

| waiting list | heap held | per case | held by id |
|---|---:|---:|---:|
| reference: a Map of every waiting case's id (before the list was bounded) | ${mb(reference.bytes)} MB | ${Math.round(reference.bytes / cases)} bytes | ${cases.toLocaleString('en-GB')} |
| FlagWaitingList: ids up to ${FLAG_WAITING_BY_ID.toLocaleString('en-GB')}, the rest as a span of received times | ${mb(bounded.bytes)} MB | ${Math.round(bounded.bytes / cases)} bytes | ${list.heldById.toLocaleString('en-GB')} |

Waiting cases counted by the list: ${list.size.toLocaleString('en-GB')}.
`;
void reference.keep;
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/flag-waiting.md', text);
process.stdout.write(text);
