/**
 * The staff console links each role only to pages it can open: for every demo account, every link on /staff
 * (console list, header and footer) answers 200 for that account.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';
import { DEMO_ACCOUNTS } from '../../src/domains/identity/demo-accounts.ts';
import { signInAs } from './staff-sign-in.ts';

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(() => server?.stop());

/** The same-site paths an HTML page links to. */
function linkedPaths(html: string): string[] {
  return [...new Set([...html.matchAll(/<a\b[^>]*\bhref="(\/[^"#]*)/g)].map((m) => m[1]!.replaceAll('&amp;', '&')))];
}

test('for each demo role, every link on /staff answers 200 for that role', async () => {
  const problems: string[] = [];
  for (const account of DEMO_ACCOUNTS) {
    const visitor = await signInAs(server.url, account.email);
    const home = await visitor.get('/staff');
    assert.equal(home.status, 200, `/staff for ${account.role}`);
    const html = await home.text();
    const console = /<ul class="list" data-console-links>([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '';
    assert.ok(linkedPaths(console).length >= 2, `${account.role} has console links`);
    for (const path of linkedPaths(html)) {
      const res = await visitor.get(path);
      await res.arrayBuffer();
      if (res.status !== 200) problems.push(`${account.role}: ${path} answered ${res.status}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('roles see the links their permissions allow and no link to a page that does not exist yet', async () => {
  const text = async (email: string) => (await (await signInAs(server.url, email)).get('/staff')).text();
  const partner = await text('partner@hollowmere.example');
  assert.match(partner, /href="\/staff\/referrals"/);
  assert.doesNotMatch(partner, /href="\/staff\/queue"/);
  const editor = await text('editor@hollowmere.example');
  assert.match(editor, /href="\/staff\/publishing"/);
  assert.doesNotMatch(editor, /is not available yet/, 'nothing is "coming soon" for editors now');
  assert.doesNotMatch(partner, /href="\/staff\/publishing"/);
  assert.match(editor, /href="\/staff\/consultations"/);
  const calls = await text('calls@hollowmere.example');
  assert.match(calls, /href="\/staff\/consultations\/respond"/);
  assert.doesNotMatch(calls, /href="\/staff\/consultations"/);
  const district = await text('district@hollowmere.example');
  assert.match(district, /href="\/staff\/queue"/);
  assert.doesNotMatch(district, /href="\/staff\/admin\/users"/);
});
