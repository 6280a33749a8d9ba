/** Every staff page an administrator can open is valid HTML (html-validate), like the public pages. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { htmlProblems } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createWebReport } from '../helpers/staff.ts';
import { signInAs } from './staff-sign-in.ts';
import { routePermissions } from './route-permissions.ts';

let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

test('staff pages are valid HTML', async () => {
  const ref = await createWebReport(server.url, { description: 'Someone keeps dumping rubbish by the gate on Heath Lane.', email: 'html@example.com' } as never);
  const admin = await signInAs(server.url, 'admin@hollowmere.example');
  const pages = Object.entries(routePermissions)
    .filter(([file, rule]) => file.endsWith('.astro') && rule.access !== 'public' && rule.access !== 'session' && !rule.path.includes('no-such'))
    .map(([, rule]) => (rule.path.startsWith('/staff/cases/') ? `/staff/cases/${ref}` : rule.path));
  assert.ok(pages.length >= 10, `checked ${pages.length} pages`);
  const problems: string[] = [];
  for (const path of pages) {
    const res = await admin.get(path);
    if (res.status !== 200) {
      problems.push(`${path}: status ${res.status}`);
      continue;
    }
    for (const problem of await htmlProblems(await res.text(), path)) problems.push(`${path} ${problem}`);
  }
  assert.deepEqual(problems, []);
});
