/** A real, migrated database file in a temp folder for unit tests of the domain and platform code. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDatabase, migrateDatabase, openDatabase, type Database } from '../../src/platform/db/client.ts';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';
import { syncConfigToDatabase } from '../../src/platform/config/sync.ts';
import { setLogLevel } from '../../src/platform/log.ts';

/** Open a fresh migrated database with the demo configuration synced; returns it and a cleanup. */
export async function openTestDatabase(): Promise<{ database: Database; dir: string; cleanup: () => Promise<void> }> {
  setLogLevel('silent');
  const dir = mkdtempSync(join(tmpdir(), 'saferline-unit-'));
  const database = await openDatabase({ url: `file:${join(dir, 'test.db')}`, timeoutMs: 5000 });
  await migrateDatabase(database);
  await syncConfigToDatabase(database, loadSiteConfig('content'));
  return {
    database,
    dir,
    cleanup: async () => {
      await closeDatabase();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
