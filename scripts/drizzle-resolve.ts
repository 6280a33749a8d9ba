/**
 * Loaded into every test file's process by scripts/test.ts (`node --import`): resolves drizzle-orm's imports of its
 * own files without Node's package-scope look-up, and each bare `drizzle-orm…` import once, which spares a test
 * process that loads the domain code about a second of CPU.
 * Node 24's ESM resolver looks up the package.json scope of every file it resolves (to learn its module type), and
 * copies that package.json's fields out of a lazy record, which parses its whole `exports` map again each time:
 * drizzle-orm's is 180 kB (447 entries), and a process that imports the domain code loads about 110 of its files,
 * so a unit test file spent half of its 3 CPU-s loading drizzle-orm. A relative `.js` import inside drizzle-orm is
 * an ES module file of the same package (its package.json says `"type": "module"` and it has no nested one, which
 * tests/unit/drizzle-resolve.test.ts checks), which is all the resolver would have found out. A bare import such as
 * `drizzle-orm/sqlite-core` resolves to the same file from every file of this project, so the first answer is kept.
 * Anything else goes to Node's own resolver.
 */
import { registerHooks, type ResolveFnOutput } from 'node:module';

/** Where drizzle-orm's files are, in a file URL. */
const DRIZZLE = '/node_modules/drizzle-orm/';

/** Whether this import is one of drizzle-orm's own relative `.js` imports. */
export function isDrizzleInternalImport(specifier: string, parentURL: string | undefined): boolean {
  return parentURL !== undefined && parentURL.includes(DRIZZLE) && /^\.\.?\//.test(specifier) && specifier.endsWith('.js');
}

/** Whether this is a bare import of drizzle-orm or one of its entry points. */
export function isDrizzleEntryImport(specifier: string): boolean {
  return specifier === 'drizzle-orm' || specifier.startsWith('drizzle-orm/');
}

/** Bare drizzle-orm imports already resolved, by specifier and conditions. */
const entries = new Map<string, ResolveFnOutput>();

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (isDrizzleInternalImport(specifier, context.parentURL)) {
      const url = new URL(specifier, context.parentURL).href;
      if (url.includes(DRIZZLE)) return { url, format: 'module', shortCircuit: true };
    }
    if (isDrizzleEntryImport(specifier)) {
      const key = `${specifier}\0${context.conditions.join()}`;
      const known = entries.get(key);
      if (known) return { ...known, shortCircuit: true };
      const resolved = nextResolve(specifier, context);
      entries.set(key, resolved);
      return resolved;
    }
    return nextResolve(specifier, context);
  },
});
