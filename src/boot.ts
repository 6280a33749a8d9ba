/**
 * Imported ahead of the Node adapter's server (see astro.config.mjs), so that settings are validated,
 * the database migrated and the outbox worker started before the server listens. A bad setting stops
 * the process with a message that names it.
 */
import { bootRuntime } from './lib/server/runtime.ts';
import { seedDemo } from './lib/server/demo.ts';

try {
  await bootRuntime({ seedDemo });
} catch (error) {
  process.stderr.write(`Saferline cannot start: ${(error as Error).message}\n`);
  process.exit(1);
}
