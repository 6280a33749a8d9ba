// @ts-check
/**
 * ESLint: the recommended rules for JavaScript, TypeScript and Astro, plus the import boundaries of the layout
 * (README, "Layout"): pages, components and layouts never reach the database; domain and platform code never
 * reach Astro or the web glue. Boundaries are no-restricted-imports regexes over the import specifier, so
 * relative paths (../../platform/db/client.ts) are caught as well as package names.
 */
import { defineConfig } from 'eslint/config';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import astro from 'eslint-plugin-astro';
import globals from 'globals';

/** What a page, component or layout may not import: the database client, schema and writer, or a driver. */
const noDatabase = {
  paths: [
    { name: 'drizzle-orm', message: 'Pages never touch the database: call a domain function.' },
    { name: '@libsql/client', message: 'Pages never touch the database: call a domain function.' },
  ],
  patterns: [
    { regex: '^drizzle-orm/', message: 'Pages never touch the database: call a domain function.' },
    { regex: '(^|/)platform/db/', message: 'Pages never touch the database: call a domain function.' },
  ],
};

/** What domain and platform code may not import: Astro itself, or the web, page, component and layout layers. */
const noWebLayers = {
  paths: [{ name: 'astro', message: 'Domain and platform code does not depend on Astro.' }],
  patterns: [
    { regex: '^astro(:|/)', message: 'Domain and platform code does not depend on Astro.' },
    { regex: '^\\.{1,2}/(.*/)?(web|pages|components|layouts)/', message: 'Domain and platform code never imports src/web, src/pages, src/components or src/layouts.' },
  ],
};

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', '.astro/', 'data/', 'tmp/', 'db/migrations/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  astro.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    // A `_` name is deliberately unused (counting a loop's turns).
    rules: { '@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^_$' }] },
  },
  { files: ['public/js/**/*.js'], languageOptions: { globals: { ...globals.browser } } },
  { files: ['src/pages/**', 'src/components/**', 'src/layouts/**'], rules: { 'no-restricted-imports': ['error', noDatabase] } },
  { files: ['src/domains/**', 'src/platform/**'], rules: { 'no-restricted-imports': ['error', noWebLayers] } },
);
