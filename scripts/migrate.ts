/** Apply database migrations (idempotent): `npm run db:migrate`. */
import { parseEnv } from '../src/platform/config/env.ts';
import { closeDatabase, migrateDatabase, openDatabase } from '../src/platform/db/client.ts';

const env = parseEnv();
const database = await openDatabase({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN, timeoutMs: env.DATABASE_TIMEOUT_MS });
await migrateDatabase(database);
await closeDatabase();
process.stdout.write(`Migrations applied to ${env.DATABASE_URL.replace(/\/\/[^@/]*@/, '//***@')}\n`);
