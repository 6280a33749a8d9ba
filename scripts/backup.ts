/**
 * Back up the database while the service runs: `npm run db:backup -- backups/saferline-2026-11-30.db`.
 * On a local file (DATABASE_URL=file:…) this is SQLite's VACUUM INTO: one read transaction, so the copy is a
 * consistent snapshot even while the server writes (WAL lets both go on), compacted, and checked afterwards.
 * A remote libSQL server (sqld, Turso) cannot write a file on this machine: use the server's own backups
 * (see db/data-map.md, "Backups"). Photos live in UPLOAD_DIR, outside the database: copy that folder too.
 */
import { createClient } from '@libsql/client';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseEnv } from '../src/platform/config/env.ts';

/** Stop with a one-line message. */
function fail(message: string, code = 1): never {
  process.stderr.write(`db:backup: ${message}\n`);
  process.exit(code);
}

const target = process.argv[2];
if (!target || target.startsWith('-')) fail('name the file to write, e.g. npm run db:backup -- backups/saferline.db', 2);
const env = parseEnv();
if (!env.DATABASE_URL.startsWith('file:')) {
  fail('DATABASE_URL is a remote libSQL server. Back it up with its own tools: Turso keeps point-in-time backups (turso db create --from-db … --timestamp …); for sqld, copy its data directory while it is stopped.', 2);
}
const path = resolve(target);
if (existsSync(path)) fail(`${target} already exists; choose a new file name`);
mkdirSync(dirname(path), { recursive: true });

const source = createClient({ url: env.DATABASE_URL, timeout: env.DATABASE_TIMEOUT_MS });
try {
  await source.execute({ sql: 'VACUUM INTO ?', args: [path] });
} catch (error) {
  fail(`could not write the copy (${(error as Error).message})`);
} finally {
  source.close();
}

const copy = createClient({ url: `file:${path}` });
try {
  const check = await copy.execute('PRAGMA integrity_check');
  if (String(check.rows[0]?.[0]) !== 'ok') fail(`the copy failed its integrity check: ${String(check.rows[0]?.[0])}`);
  const cases = await copy.execute('SELECT count(*) FROM cases');
  process.stdout.write(`Backed up to ${target}: ${Number(cases.rows[0]?.[0])} cases, integrity ok. Copy UPLOAD_DIR as well for the photos.\n`);
} finally {
  copy.close();
}
