/**
 * Create a staff user from the command line (the first administrator, typically):
 *   npm run user:create -- --email ada@council.example --name "Ada Lovelace" --role administrator [--agency police] [--district brackenford]
 * The password is read from USER_PASSWORD, or asked for on the terminal (not echoed). It must meet the
 * password policy. Two-factor authentication is set up at first sign-in when the role requires it.
 */
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { parseEnv } from '../src/platform/config/env.ts';
import { closeDatabase, migrateDatabase, openDatabase } from '../src/platform/db/client.ts';
import { loadSiteConfig } from '../src/platform/config/partnership.ts';
import { syncConfigToDatabase } from '../src/platform/config/sync.ts';
import { setLogLevel } from '../src/platform/log.ts';
import { checkPasswordPolicy, hashPassword } from '../src/domains/identity/password.ts';
import { getRoles, loadRoles } from '../src/domains/identity/roles.ts';
import { createUser, UserRuleError } from '../src/domains/identity/users.ts';

function fail(message: string): never {
  process.stderr.write(`user:create: ${message}\n`);
  process.exit(1);
}

async function askHidden(question: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin });
    for await (const line of rl) return line;
    return '';
  }
  process.stdout.write(question);
  return new Promise((resolve) => {
    let value = '';
    process.stdin.setRawMode(true);
    process.stdin.resume();
    process.stdin.setEncoding('utf8');
    const onData = (ch: string) => {
      if (ch === '\r' || ch === '\n' || ch === '\u0004') {
        process.stdin.setRawMode(false);
        process.stdin.pause();
        process.stdin.off('data', onData);
        process.stdout.write('\n');
        resolve(value);
      } else if (ch === '\u0003') {
        process.exit(130);
      } else if (ch === '\u007f') {
        value = value.slice(0, -1);
      } else {
        value += ch;
      }
    };
    process.stdin.on('data', onData);
  });
}

const { values } = parseArgs({ options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string', default: 'administrator' }, agency: { type: 'string' }, district: { type: 'string' } } });
if (!values.email || !values.name) fail('usage: npm run user:create -- --email a@b.example --name "A B" --role administrator [--agency police] [--district brackenford]');

setLogLevel('warn');
const env = parseEnv();
loadRoles(env.CONTENT_DIR);
if (!getRoles().has(values.role!)) fail(`--role must be one of: ${[...getRoles().keys()].join(', ')}`);
let password = process.env.USER_PASSWORD ?? '';
if (!password) {
  password = await askHidden('Password (12 characters or more): ');
  const again = process.stdin.isTTY ? await askHidden('Password again: ') : password;
  if (again !== password) fail('the passwords do not match');
}
const problem = checkPasswordPolicy(password, [values.email!, values.name!]);
if (problem) fail(problem);

const database = await openDatabase({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN, timeoutMs: env.DATABASE_TIMEOUT_MS });
try {
  await migrateDatabase(database);
  await syncConfigToDatabase(database, loadSiteConfig(env.CONTENT_DIR));
  const user = await createUser({ email: values.email!, name: values.name!, role: values.role!, agencyId: values.agency ?? null, districtId: values.district ?? null, passwordHash: await hashPassword(password) }, { kind: 'system', ip: 'command-line' });
  process.stdout.write(`Created ${user.role} ${user.email} (${user.id}). Sign in at /staff/sign-in${getRoles().get(user.role)?.twoFactorRequired ? '; you will set up two-factor authentication first' : ''}.\n`);
} catch (error) {
  if (error instanceof UserRuleError) fail(error.message);
  throw error;
} finally {
  await closeDatabase();
}
