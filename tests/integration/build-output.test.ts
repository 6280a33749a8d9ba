/** The build the tests run: the server has source maps (coverage maps it back to src/), the client ships none. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const dist = resolve(import.meta.dirname, '../../dist');

/** Every file under a folder, by path relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

test('the server build has source maps leading back to src/', () => {
  const maps = filesUnder(join(dist, 'server')).filter((f) => f.endsWith('.mjs.map'));
  const sources = maps.flatMap((f) => (JSON.parse(readFileSync(join(dist, 'server', f), 'utf8')) as { sources: string[] }).sources);
  assert.ok(maps.includes('entry.mjs.map'), 'the server entry has a source map');
  for (const file of ['src/server/entry.ts', 'src/middleware.ts', 'src/pages/report/index.astro']) {
    assert.ok(sources.some((s) => s.endsWith(file)), `a server source map leads to ${file}`);
  }
});

test('the client build ships no source maps and no links to them', () => {
  const client = filesUnder(join(dist, 'client'));
  assert.deepEqual(client.filter((f) => f.endsWith('.map')), []);
  for (const f of client.filter((f) => /\.(js|css)$/.test(f))) assert.doesNotMatch(readFileSync(join(dist, 'client', f), 'utf8'), /sourceMappingURL/, f);
});
