/**
 * Static scan of src/: every permission content/config/roles.json grants is checked somewhere, every permission the
 * code checks is granted to some role, and every permission named in a check is one the application knows
 * (the project has no type-check step yet, so this is what makes a typo fail).
 * A "check" is a call of one of CHECK_CALLS with a quoted permission among its arguments, or a quoted permission
 * returned by a function declared to return a Permission (statusPermission in cases/actions.ts).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { PERMISSIONS } from '../../src/domains/identity/roles.ts';

const root = join(import.meta.dirname, '../..');

/** The guard and policy functions that take a permission. */
const CHECK_CALLS = ['guardPage', 'guardRequest', 'can', 'hasPermission', 'canActOnCase', 'lacks'];

/** Every .ts and .astro file under a folder. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|astro)$/.test(name) ? [path] : [];
  });
}

/** The quoted lower-case words (dotted or not) in a piece of code. */
function quotedWords(code: string): string[] {
  return [...code.matchAll(/'([a-z]+(?:\.[a-z]+)*)'/g)].map((m) => m[1]!);
}

/** Each permission-like word checked in the source, with the files that check it. */
function checkedPermissions(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const note = (word: string, file: string) => found.set(word, [...(found.get(word) ?? []), file]);
  const calls = new RegExp(`\\b(?:${CHECK_CALLS.join('|')})\\(([^()]*(?:\\([^()]*\\)[^()]*)*)\\)`, 'g');
  for (const path of sourceFiles(join(root, 'src'))) {
    const file = relative(root, path);
    if (file === join('src', 'domains', 'identity', 'roles.ts')) continue; // the list of names itself
    const code = readFileSync(path, 'utf8');
    for (const m of code.matchAll(calls)) for (const word of quotedWords(m[1]!)) note(word, file);
    for (const m of code.matchAll(/function \w+\([^)]*\): Permission \{([\s\S]*?)\n\}/g)) {
      for (const r of m[1]!.matchAll(/return '([^']+)'/g)) note(r[1]!, file);
    }
  }
  return found;
}

/** Every permission some role in content/config/roles.json grants. */
function grantedPermissions(): Set<string> {
  const roles = JSON.parse(readFileSync(join(root, 'content/config/roles.json'), 'utf8')) as Record<string, { permissions: string[] }>;
  return new Set(Object.values(roles).flatMap((r) => r.permissions));
}

test('the scan sees the checks it should: guards, page checks, actions and the status move permissions', () => {
  const checked = checkedPermissions();
  for (const p of ['admin.users', 'case.read.all', 'call.log', 'pii.export', 'note.internal.write', 'case.reopen', 'case.refer', 'referral.partner']) {
    assert.ok(checked.has(p), `${p} found by the scan`);
  }
  assert.ok(checked.get('case.refer')!.some((f) => f.endsWith('actions.ts')), 'case.refer is required by the status move in cases/actions.ts');
});

test('every permission a role grants is checked by some guard or policy call in src/', () => {
  const checked = checkedPermissions();
  const unused = [...grantedPermissions()].filter((p) => !checked.has(p)).sort();
  assert.deepEqual(unused, [], 'granted in content/config/roles.json but never checked: check it, or stop granting it');
});

test('every permission the code checks is granted by some role', () => {
  const granted = grantedPermissions();
  const orphans = [...checkedPermissions()].filter(([p]) => !granted.has(p)).map(([p, files]) => `${p} (${[...new Set(files)].join(', ')})`).sort();
  assert.deepEqual(orphans, [], 'checked in src/ but no role in content/config/roles.json grants it');
});

test('every permission named in a check is one the application knows (a typo fails here)', () => {
  const known = new Set<string>(PERMISSIONS);
  const unknown = [...checkedPermissions()].filter(([p]) => !known.has(p)).map(([p, files]) => `${p} (${[...new Set(files)].join(', ')})`).sort();
  assert.deepEqual(unknown, []);
});
