/**
 * The layout of src (README, "Layout"), checked on the files themselves: src/lib is gone, domain and platform
 * code never imports astro:*, and pages never import the database (bar a temporary list, shared with ESLint).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '../..');

/** Every source file under a folder of the repository, as a path relative to the root with / separators. */
function listSourceFiles(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(astro|ts|tsx|js|mjs)$/.test(e.name))
    .map((e) => relative(root, join(e.parentPath, e.name)).split('\\').join('/'));
}

/** The module specifiers a source text imports or re-exports, static or dynamic. */
function findImports(text: string): string[] {
  return [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

/** The module specifiers of a source file. */
function readImports(file: string): string[] {
  return findImports(readFileSync(join(root, file), 'utf8'));
}

test('the import reader finds static, type, side-effect, dynamic and re-export imports', () => {
  const text = `import a from 'a';\nimport type { B } from "b";\nimport 'c';\nawait import('d');\nexport { e } from 'e';\nimport {\n  f,\n} from '../platform/db/f.ts';`;
  assert.deepEqual(findImports(text), ['a', 'b', 'c', 'd', 'e', '../platform/db/f.ts']);
});

test('src/lib does not exist: shared code lives in src/platform, domain code in src/domains', () => {
  assert.equal(existsSync(join(root, 'src/lib')), false);
});

test('nothing under src/domains or src/platform imports astro:*', () => {
  const files = [...listSourceFiles('src/domains'), ...listSourceFiles('src/platform')];
  assert.ok(files.length > 20, `found ${files.length} files`);
  const offenders = files.flatMap((file) => readImports(file).filter((s) => s.startsWith('astro:')).map((s) => `${file} imports ${s}`));
  assert.deepEqual(offenders, []);
});

test('no file under src/pages imports the database (platform/db, drizzle-orm, @libsql/client)', () => {
  const files = listSourceFiles('src/pages');
  assert.ok(files.length > 20, `found ${files.length} files`);
  const onDatabase = (s: string) => /(^|\/)platform\/db\//.test(s) || /^(drizzle-orm|@libsql\/client)(\/|$)/.test(s);
  const offenders = files.filter((file) => readImports(file).some(onDatabase));
  assert.deepEqual(offenders, []);
});
