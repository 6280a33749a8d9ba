/**
 * Backups: the built server runs and takes reports while `npm run db:backup` (scripts/backup.ts) copies the
 * database; `npm run db:restore` (scripts/restore.ts) puts the copy in place for a second server, which boots
 * from it and finds the data.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createWebReport } from '../helpers/staff.ts';
import { signInAs } from './staff-sign-in.ts';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
let server: TestServer;
let restored: TestServer | undefined;
let dir: string;
before(async () => {
  server = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'saferline-backup-'));
});
after(async () => {
  await restored?.stop();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Run one of our scripts the way its npm script does, with the given DATABASE_URL. */
function script(name: string, arg: string, databaseUrl: string) {
  return run(process.execPath, [join('scripts', name), arg], { cwd: root, env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' } });
}

test('a backup taken while the server runs restores into a second server that finds the data', async () => {
  const first = await createWebReport(server.url, { email: 'backup-one@example.com', description: 'Graffiti on the library wall, reported before the backup.' });
  const copy = join(dir, 'backups', 'saferline.db');
  // The backup runs while the server takes another report.
  const [backup, second] = await Promise.all([script('backup.ts', copy, server.dbUrl), createWebReport(server.url, { email: 'backup-two@example.com', description: 'A second report sent while the backup ran.' })]);
  assert.match(backup.stdout, /integrity ok/);
  assert.ok(existsSync(copy));
  await assert.rejects(script('backup.ts', copy, server.dbUrl), /already exists/, 'an existing file is never overwritten');
  await assert.rejects(script('backup.ts', join(dir, 'remote.db'), 'libsql://saferline.example.turso.io'), /remote libSQL server/);

  const restoredUrl = `file:${join(dir, 'restored', 'saferline.db')}`;
  const restore = await script('restore.ts', copy, restoredUrl);
  assert.match(restore.stdout, /Restored/);
  restored = await startServer({ DATABASE_URL: restoredUrl });
  const admin = await signInAs(restored.url, 'admin@hollowmere.example');
  const page = await admin.get(`/staff/cases/${first}`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Graffiti on the library wall, reported before the backup\./);
  // The report sent during the backup is either wholly in the copy or wholly absent: never half there.
  const during = await admin.get(`/staff/cases/${second}`);
  assert.ok([200, 404].includes(during.status), `the concurrent report gives ${during.status}`);
  if (during.status === 200) assert.match(await during.text(), /A second report sent while the backup ran\./);
});
