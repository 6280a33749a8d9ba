/**
 * Another process for the writer tests: opens its own client and Writer on a database file and runs
 * read-increment-write transactions on counter row 1. Usage: node increment-worker.ts <file: URL> <times>.
 * Prints the writer's stats as JSON when done.
 */
import { createClient } from '@libsql/client';
import { Writer } from '../../src/platform/db/writer.ts';

const [url, times] = process.argv.slice(2);
const client = createClient({ url: url!, timeout: 5000 });
const writer = new Writer(client);
await Promise.all(
  Array.from({ length: Number(times) }, () =>
    writer.transaction(async (tx) => {
      const r = await tx.execute('SELECT n FROM counter WHERE id = 1');
      // give the other process every chance to slip a write in between the read and the write
      await new Promise((res) => setImmediate(res));
      await tx.execute({ sql: 'UPDATE counter SET n = ? WHERE id = 1', args: [Number(r.rows[0]!.n) + 1] });
    }),
  ),
);
process.stdout.write(JSON.stringify(writer.stats));
client.close();
