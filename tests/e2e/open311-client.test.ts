/**
 * The Open311 client's delivery states on the refer page, in real Chromium with axe: one case referred to an agency
 * whose endpoint refuses it with a 400 (failed, in red, with the endpoint's words) and to one whose endpoint is down
 * (waiting, with the last error), both on the same page.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { expectAccessible, launchBrowser } from '../helpers/browser.ts';
import { freePort, startServer, type TestServer } from '../helpers/server.ts';
import { createWebReport, staffContext } from '../helpers/staff.ts';

let server: TestServer;
let browser: Browser;
let refusing: Server;
let contentDir: string;

before(async () => {
  refusing = createServer((_req, res) => res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify([{ code: 400, description: 'service_code street-scene was not found' }])));
  await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', r));
  const downPort = await freePort();
  contentDir = mkdtempSync(join(tmpdir(), 'saferline-o311c-e2e-'));
  cpSync('content', contentDir, { recursive: true });
  const file = join(contentDir, 'config', 'agencies.json');
  const agencies = JSON.parse(readFileSync(file, 'utf8')) as { id: string; open311?: unknown }[];
  for (const a of agencies) {
    if (a.id === 'environment') a.open311 = { endpoint: `http://127.0.0.1:${(refusing.address() as { port: number }).port}/v2`, serviceCode: 'street-scene', apiKeyEnv: 'E2E_OPEN311_KEY' };
    if (a.id === 'highways') a.open311 = { endpoint: `http://127.0.0.1:${downPort}/v2`, serviceCode: 'potholes', apiKeyEnv: 'E2E_OPEN311_KEY' };
  }
  writeFileSync(file, JSON.stringify(agencies));
  server = await startServer({ CONTENT_DIR: contentDir, E2E_OPEN311_KEY: 'e2e-key', OPEN311_DELIVERY_INTERVAL_MS: '100', OPEN311_RETRY_BASE_MS: '60000' });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((r) => refusing.close(r));
  rmSync(contentDir, { recursive: true, force: true });
});

test('the refer page shows a failed and a waiting Open311 delivery, accessibly', async () => {
  const ref = await createWebReport(server.url, { email: 'e2e.open311@example.org', name: 'Robin Remote', description: 'Rubbish dumped by the gate.' });
  const triage = await staffContext(browser, server.url, 'triage@hollowmere.example');
  const t = await triage.newPage();
  for (const [id, agency] of [['environment', 'Environmental Health and Street Scene'], ['highways', 'Hollowmere Highways']] as const) {
    await t.goto(`/staff/cases/${ref}/refer?agency=${id}`);
    await t.getByRole('button', { name: `Refer to ${agency}` }).click();
    await t.getByText(`Referred to ${agency}`).first().waitFor();
  }
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && (await t.locator('[data-delivery]').allTextContents()).filter((s) => /failed|tried/.test(s)).length < 2) {
    await new Promise((r) => setTimeout(r, 200));
    await t.reload();
  }
  const lines = await t.locator('[data-delivery]').allTextContents();
  assert.ok(lines.some((s) => /^Open311 delivery failed: .*400 service_code street-scene was not found/.test(s)), lines.join(' | '));
  assert.ok(lines.some((s) => /^Waiting to send by Open311 \(tried 1 time: /.test(s)), lines.join(' | '));
  await expectAccessible(t, 'refer page: Open311 delivery failed and waiting');
});
