/** Copy the configured areas, agencies and categories into their tables (upsert), so queries can join them. */

import type { InStatement } from '@libsql/client';
import type { Database } from '../db/client.ts';
import { toStatement } from '../db/client.ts';
import { agencies, areas, categories } from '../db/schema.ts';
import type { SiteConfig } from './partnership.ts';

/** Upsert configuration rows; rows no longer configured are marked inactive, never deleted. */
export async function syncConfigToDatabase(database: Database, config: SiteConfig) {
  const { db, writer } = database;
  const stmts: InStatement[] = [];
  config.areas.forEach((a, i) => {
    const values = { id: a.id, name: a.name, kind: a.kind, parentId: a.parent ?? null, population: a.population, position: i };
    stmts.push(toStatement(db.insert(areas).values(values).onConflictDoUpdate({ target: areas.id, set: values })));
  });
  stmts.push(toStatement(db.update(agencies).set({ active: false })));
  for (const a of config.agencies) {
    const values = { id: a.id, name: a.name, kind: a.kind, email: a.email ?? null, publicNameVisible: a.publicNameVisible, active: true };
    stmts.push(toStatement(db.insert(agencies).values(values).onConflictDoUpdate({ target: agencies.id, set: values })));
  }
  stmts.push(toStatement(db.update(categories).set({ active: false })));
  config.categories.forEach((c, i) => {
    const values = {
      id: c.id,
      name: c.name,
      hint: c.hint,
      sensitive: c.sensitive,
      emergency: c.emergency,
      defaultAgencyId: c.agencies[0] ?? null,
      agencyIds: c.agencies,
      defaultPriority: c.defaultPriority,
      position: i,
      active: true,
    };
    stmts.push(toStatement(db.insert(categories).values(values).onConflictDoUpdate({ target: categories.id, set: values })));
  });
  await writer.batch(stmts);
}
