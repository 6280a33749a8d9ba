/**
 * Another process for the gated-batch tests: opens a database file as the server does (the writer on its own
 * thread) and sends gated batches behind one shared rate limit, in ten waves. Usage:
 * node gated-worker.ts <file: URL> <times> <limit> <now> <tag>. Prints how many its gate allowed, and the writer's stats.
 */
import { closeDatabase, openDatabase } from '../../src/platform/db/client.ts';
import { RateLimitGate } from '../../src/platform/security/rate-limit.ts';

const [url, times, limit, now, tag] = process.argv.slice(2);
const database = await openDatabase({ url: url! });
// Both processes start at <now> + 1.5 s, and send in ten waves, so that their commits take turns.
await new Promise((r) => setTimeout(r, Math.max(0, Number(now) + 1500 - Date.now())));
const answers = [];
for (let wave = 0; wave < 10; wave++) {
  answers.push(
    ...(await Promise.all(
      Array.from({ length: Number(times) / 10 }, () =>
        database.writer.gatedBatch(new RateLimitGate([{ key: 'shared', limit: Number(limit), windowMs: 3_600_000 }], Number(now)), [{ sql: 'INSERT INTO gated_items (tag) VALUES (?)', args: [tag!] }]),
      ),
    )),
  );
}
process.stdout.write(JSON.stringify({ allowed: answers.filter((a) => a !== null).length, stats: database.writer.stats }));
await closeDatabase();
