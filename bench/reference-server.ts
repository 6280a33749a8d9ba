/**
 * The reference for the submission benchmark: a bare node:http server that parses a urlencoded form,
 * validates it, and does one INSERT per request (its own commit) on a libSQL file in WAL mode with the
 * same durability (synchronous FULL), then answers 303. Run: node bench/reference-server.ts <port> <dbfile>
 */
import { createServer } from 'node:http';
import { createClient } from '@libsql/client';

const port = Number(process.argv[2] ?? 4400);
const file = process.argv[3] ?? 'tmp/reference.db';
const client = createClient({ url: `file:${file}`, timeout: 5000 });
await client.execute('PRAGMA journal_mode = WAL');
await client.execute(`CREATE TABLE IF NOT EXISTS reports (
  id INTEGER PRIMARY KEY, ref TEXT NOT NULL UNIQUE, category TEXT NOT NULL, description TEXT NOT NULL,
  postcode TEXT, received_at INTEGER NOT NULL)`);
await client.execute('CREATE INDEX IF NOT EXISTS reports_received ON reports (received_at)');
let n = 0;
createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const description = form.get('description') ?? '';
    const category = form.get('category') ?? '';
    if (description.length < 10 || description.length > 5000 || !category) {
      res.writeHead(400).end('bad');
      return;
    }
    try {
      await client.execute({
        sql: 'INSERT INTO reports (ref, category, description, postcode, received_at) VALUES (?, ?, ?, ?, ?)',
        args: [`R${process.pid}-${++n}`, category, description, form.get('postcode'), Date.now()],
      });
      res.writeHead(303, { location: '/done' }).end();
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  });
}).listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
