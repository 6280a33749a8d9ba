/**
 * Restore a backup made by `npm run db:backup`: `npm run db:restore -- backups/saferline-2026-11-30.db`.
 * Stop the service first. The backup is checked (integrity, Saferline tables); the current database file and
 * its -wal/-shm files are moved aside (…before-restore-<time>), never deleted; the copy is put in place with
 * an atomic rename. On the next start the server applies any migrations newer than the backup.
 * Only for a local file (DATABASE_URL=file:…); a remote libSQL server restores with its own tools.
 */
import { createClient } from '@libsql/client';
import { copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseEnv } from '../src/platform/config/env.ts';

/** Stop with a one-line message. */
function fail(message: string, code = 1): never {
  process.stderr.write(`db:restore: ${message}\n`);
  process.exit(code);
}

const source = process.argv[2];
if (!source || source.startsWith('-')) fail('name the backup file, e.g. npm run db:restore -- backups/saferline.db', 2);
const from = resolve(source);
if (!existsSync(from)) fail(`${source} does not exist`);
const env = parseEnv();
if (!env.DATABASE_URL.startsWith('file:')) fail('DATABASE_URL is a remote libSQL server; restore it with its own tools', 2);
const target = resolve(env.DATABASE_URL.slice('file:'.length).split('?')[0]!);
if (from === target) fail('the backup is the database itself');

const backup = createClient({ url: `file:${from}` });
try {
  const check = await backup.execute('PRAGMA integrity_check');
  if (String(check.rows[0]?.[0]) !== 'ok') fail(`${source} failed its integrity check`);
  const tables = await backup.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('cases', 'reporters', 'users', '__drizzle_migrations')");
  if (Number(tables.rows[0]?.[0]) !== 4) fail(`${source} is not a Saferline database`);
} catch (error) {
  fail(`${source} cannot be read as a database (${(error as Error).message})`);
} finally {
  backup.close();
}

mkdirSync(dirname(target), { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const movedAside: string[] = [];
for (const suffix of ['', '-wal', '-shm']) {
  if (existsSync(target + suffix)) {
    renameSync(target + suffix, `${target}.before-restore-${stamp}${suffix}`);
    movedAside.push(`${target}.before-restore-${stamp}${suffix}`);
  }
}
const partial = `${target}.restoring`;
copyFileSync(from, partial);
renameSync(partial, target);
process.stdout.write(`Restored ${source} to ${env.DATABASE_URL}.${movedAside.length ? ` The previous database was moved aside to ${movedAside[0]}.` : ''} Start the service.\n`);
