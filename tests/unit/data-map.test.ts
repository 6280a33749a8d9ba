/** The data map (db/data-map.md) stays current: every table in the schema is named in it, with personal data or without. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { getTableName, is } from 'drizzle-orm';
import { SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as schema from '../../src/platform/db/schema.ts';

const map = readFileSync(join(import.meta.dirname, '../../db/data-map.md'), 'utf8');

test('every table in the schema is named in the data map', () => {
  const tables = Object.values(schema).filter((t) => is(t, SQLiteTable)).map((t) => getTableName(t));
  assert.ok(tables.length >= 30, `found ${tables.length} tables`);
  const missing = tables.filter((name) => !new RegExp('`' + name + '(`|\\.)').test(map));
  assert.deepEqual(missing, [], 'tables not named in db/data-map.md');
});
