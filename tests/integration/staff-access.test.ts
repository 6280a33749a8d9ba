/**
 * The role walk: every role (and a visitor who is not signed in, and a user who has typed the password but
 * not the second factor) against every non-public route and method, asserting allowed or refused as the
 * table in route-permissions.ts says. A route file with no row fails the suite.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';
import { Visitor } from '../helpers/http.ts';
import { routePermissions, type RouteRule } from './route-permissions.ts';
import { loadRoles } from '../../src/domains/identity/roles.ts';
import { DEMO_ACCOUNTS } from '../../src/domains/identity/demo-accounts.ts';
import { signInAs } from './staff-sign-in.ts';

const root = join(import.meta.dirname, '../..');

function walk(dir: string): string[] {
  let out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (/\.(astro|ts|js|mjs|md|mdx|html)$/.test(e)) out.push(relative(root, p));
  }
  return out;
}

/** Route files that must be in the table: everything under staff/ and api/, and any other file that calls a guard. */
function protectedRouteFiles(): string[] {
  const all = walk(join(root, 'src/pages'));
  return all.filter((f) => f.startsWith('src/pages/staff/') || f.startsWith('src/pages/api/') || /guard(Page|Request)\(/.test(readFileSync(join(root, f), 'utf8'))).sort();
}

function methodsOf(file: string): string[] {
  const src = readFileSync(join(root, file), 'utf8');
  // A page handles POST itself or through its handler module (src/web), called as handleX(Astro).
  if (file.endsWith('.astro')) return /request\.method\s*===\s*'POST'|\bhandle[A-Z]\w*\(Astro|method="post"/i.test(src) ? ['GET', 'POST'] : ['GET'];
  const exported = [...src.matchAll(/export\s+(?:const|async\s+function|function)\s+(GET|POST|PUT|PATCH|DELETE|ALL)\b/g)].map((m) => m[1]!);
  return exported.includes('ALL') ? ['GET', 'POST'] : exported;
}

test('every protected route file has a row in the access table', () => {
  const files = protectedRouteFiles();
  assert.ok(files.length >= 14, `found ${files.length} route files`);
  const missing = files.filter((f) => !(f in routePermissions));
  assert.deepEqual(missing, [], `add these route files to tests/integration/route-permissions.ts`);
  const stale = Object.keys(routePermissions).filter((f) => !files.includes(f));
  assert.deepEqual(stale, [], 'rows for route files that no longer exist');
});

let server: TestServer;
const visitors = new Map<string, Visitor>();
before(async () => {
  server = await startServer();
  visitors.set('anonymous', new Visitor(server.url));
  for (const account of DEMO_ACCOUNTS) visitors.set(account.role, await signInAs(server.url, account.email));
  // A triage officer who has given the password but not the second factor yet.
  const pending = new Visitor(server.url);
  const res = await pending.post('/staff/sign-in', { email: 'triage@hollowmere.example', password: (await import('../../src/domains/identity/demo-accounts.ts')).DEMO_PASSWORD });
  assert.match(res.headers.get('location') ?? '', /^\/staff\/two-factor/);
  visitors.set('password-only', pending);
});
after(() => server?.stop());

type Outcome = 'allowed' | 'refused' | 'server error';

/** How the server answered; a 5xx is never what the table expects, whatever the route's access. */
function outcome(res: Response, rule: RouteRule): Outcome {
  const location = res.headers.get('location') ?? '';
  if (res.status >= 500) return 'server error';
  if (rule.status) return res.status === rule.status ? 'allowed' : 'refused';
  if (rule.access === 'public') return res.status === 401 || /^\/staff\/sign-in/.test(location) ? 'refused' : 'allowed';
  if (res.status === 401 || res.status === 403) return 'refused';
  if (res.status >= 300 && res.status < 400 && /^\/staff\/(sign-in|two-factor)/.test(location)) return 'refused';
  return 'allowed';
}

function expected(rule: RouteRule, who: string): Outcome {
  if (rule.access === 'public') return 'allowed';
  if (who === 'anonymous') return 'refused';
  if (rule.access === 'session') return 'allowed';
  if (who === 'password-only') return 'refused';
  if (rule.access === 'signed-in') return 'allowed';
  const granted = loadRoles().get(who)!.permissions;
  return rule.access.every((p) => granted.includes(p)) ? 'allowed' : 'refused';
}

test('every role against every route and method gets exactly the access the table gives', async () => {
  const problems: string[] = [];
  let checked = 0;
  for (const file of protectedRouteFiles()) {
    const rule = routePermissions[file];
    if (!rule) continue;
    for (const method of methodsOf(file)) {
      for (const [who, visitor] of visitors) {
        if (file === 'src/pages/staff/sign-out.ts') continue; // signing out would end the walk's sessions; covered in auth.test.ts
        const res = method === 'GET' ? await visitor.get(rule.path) : await visitor.post(rule.path, {});
        await res.arrayBuffer();
        const got = outcome(res, rule);
        const want = expected(rule, who);
        checked++;
        if (got !== want) problems.push(`${method} ${rule.path} as ${who}: ${got} (${res.status} ${res.headers.get('location') ?? ''}), expected ${want}`);
        if (want === 'refused' && rule.access !== 'public' && who !== 'anonymous' && who !== 'password-only' && res.status === 403 && method === 'GET' && file.endsWith('.astro')) {
          // The 403 for a page is the designed page, not bare text.
          const page = await visitor.get(rule.path);
          const html = await page.text();
          if (!html.includes('You do not have permission to see this page') || !/<html/i.test(html)) problems.push(`${rule.path} as ${who}: 403 is not the designed page`);
        }
      }
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(checked > 100, `checked ${checked}`);
});

test('the walk counts a 500 as a failure whatever the route allows', () => {
  const rules: RouteRule[] = [
    { path: '/staff/sign-in', access: 'public' },
    { path: '/staff/forbidden', access: 'public', status: 403 },
    { path: '/staff/two-factor', access: 'session' },
    { path: '/staff', access: 'signed-in' },
    { path: '/staff/admin/users', access: ['admin.users'] },
  ];
  for (const rule of rules) {
    for (const status of [500, 503]) {
      const got = outcome(new Response(null, { status }), rule);
      assert.equal(got, 'server error', `${status} on ${rule.path}`);
      for (const who of ['anonymous', 'password-only', 'administrator']) assert.notEqual(got, expected(rule, who));
    }
  }
});

test('the walk would notice a missing guard: a password-only session reaches nothing but two-factor', async () => {
  const v = visitors.get('password-only')!;
  const res = await v.get('/staff/admin/users');
  assert.equal(res.status, 303);
  assert.match(res.headers.get('location')!, /^\/staff\/two-factor\?next=/);
  const tf = await v.get('/staff/two-factor');
  assert.equal(tf.status, 200);
});
