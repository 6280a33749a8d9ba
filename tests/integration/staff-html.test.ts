/** Every staff page an administrator can open is valid HTML (html-validate), like the public pages. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HtmlValidate } from 'html-validate';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createWebReport } from '../helpers/staff.ts';
import { signInAs } from './staff-sign-in.ts';
import { routePermissions } from './route-permissions.ts';

const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: {
    // Astro writes `<!DOCTYPE html>` and void elements without a slash; both are valid HTML.
    'doctype-style': 'off',
    'void-style': 'off',
    // GOV.UK checkboxes share one name per question.
    'form-dup-name': ['error', { shared: ['radio', 'checkbox', 'button', 'reset', 'submit'] }],
  },
});

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
    const report = await validator.validateString(await res.text(), `${path}.html`);
    for (const r of report.results) for (const m of r.messages) problems.push(`${path} ${m.ruleId} at ${m.line}:${m.column}: ${m.message}`);
  }
  assert.deepEqual(problems, []);
});
