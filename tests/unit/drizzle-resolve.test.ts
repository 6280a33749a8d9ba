/**
 * scripts/drizzle-resolve.ts (the test processes' shortcut for drizzle-orm's imports): what it takes over, and the
 * facts about the installed drizzle-orm that make its answer the one Node's resolver would give.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { isDrizzleEntryImport, isDrizzleInternalImport } from '../../scripts/drizzle-resolve.ts';

const root = join(import.meta.dirname, '../..');
const drizzle = join(root, 'node_modules/drizzle-orm');

test('only drizzle-orm’s own relative .js imports and its bare entry points are taken over', () => {
  const inside = pathToFileURL(join(drizzle, 'sqlite-core/table.js')).href;
  assert.equal(isDrizzleInternalImport('../entity.js', inside), true);
  assert.equal(isDrizzleInternalImport('./columns/index.js', inside), true);
  assert.equal(isDrizzleInternalImport('../entity.cjs', inside), false);
  assert.equal(isDrizzleInternalImport('zod', inside), false);
  assert.equal(isDrizzleInternalImport('./x.js', pathToFileURL(join(root, 'src/platform/db/client.ts')).href), false);
  assert.equal(isDrizzleInternalImport('./x.js', undefined), false);
  assert.equal(isDrizzleEntryImport('drizzle-orm'), true);
  assert.equal(isDrizzleEntryImport('drizzle-orm/sqlite-core'), true);
  assert.equal(isDrizzleEntryImport('drizzle-orm-extra'), false);
  assert.equal(isDrizzleEntryImport('drizzle-kit'), false);
});

test('drizzle-orm is one ES module package: "type": "module" at its root and no nested package.json', () => {
  const manifest = JSON.parse(readFileSync(join(drizzle, 'package.json'), 'utf8')) as { type?: string };
  assert.equal(manifest.type, 'module');
  const nested = readdirSync(drizzle, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name === 'package.json' && e.parentPath !== drizzle);
  assert.deepEqual(nested, []);
});

test('every relative .js import inside drizzle-orm names a file that exists (so joining the URLs is the resolution)', () => {
  let checked = 0;
  for (const entry of readdirSync(drizzle, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
    const file = join(entry.parentPath, entry.name);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/\bfrom\s*["'](\.\.?\/[^"']+)["']/g)) {
      if (!isDrizzleInternalImport(specifier!, pathToFileURL(file).href)) continue;
      assert.ok(existsSync(join(dirname(file), specifier!)), `${file}: ${specifier}`);
      checked++;
    }
  }
  assert.ok(checked > 1000, `only ${checked} imports checked`);
});

test('with the hook, a process that loads the domain code loads the same modules in the same formats as without it', () => {
  // A load hook registered after scripts/drizzle-resolve.ts sees every module's URL and the format resolved for it.
  const script = `
    import { registerHooks } from 'node:module';
    const loaded = [];
    registerHooks({ load(url, context, nextLoad) { loaded.push(url + ' ' + context.format); return nextLoad(url, context); } });
    const { eq } = await import('drizzle-orm');
    const { sqliteTable } = await import('drizzle-orm/sqlite-core');
    await import('./src/domains/reports/index.ts');
    console.log(JSON.stringify({ functions: [typeof eq, typeof sqliteTable], loaded: loaded.sort() }));`;
  const run = (args: string[]) => JSON.parse(execFileSync(process.execPath, [...args, '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' })) as { functions: string[]; loaded: string[] };
  const withHook = run(['--import', './scripts/drizzle-resolve.ts']);
  const without = run([]);
  assert.deepEqual(withHook.functions, ['function', 'function']);
  assert.ok(withHook.loaded.filter((m) => m.includes('/node_modules/drizzle-orm/')).length > 50);
  assert.deepEqual(withHook.loaded, without.loaded);
});
