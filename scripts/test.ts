/**
 * The whole test suite: find Chromium (browser tests are never skipped), build the server once,
 * then run unit, integration and browser tests with node's test runner.
 * Pass file paths or globs to run a subset: `npm test -- tests/unit/*.test.ts`.
 */
import { spawnSync } from 'node:child_process';
import { findChromium } from './find-chromium.ts';

let chromium: string;
try {
  chromium = findChromium();
} catch (error) {
  process.stderr.write((error as Error).message + '\n');
  process.exit(1);
}

const args = process.argv.slice(2);
const skipBuild = process.env.SKIP_BUILD === '1';
if (!skipBuild) {
  const build = spawnSync(process.execPath, ['node_modules/astro/bin/astro.mjs', 'build', '--silent'], {
    stdio: 'inherit',
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const files = args.length > 0 ? args : ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/e2e/**/*.test.ts'];
const run = spawnSync(
  process.execPath,
  ['--test', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? '2'}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, CHROMIUM_PATH: chromium, ASTRO_TELEMETRY_DISABLED: '1', NODE_ENV: 'test' } },
);
process.exit(run.status ?? 1);
