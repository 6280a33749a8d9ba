/**
 * Hot-spots, the tasking list and perception against reality in real Chromium: axe on each new page state (the
 * ranking with an emerging hot-spot, the period form's error state, the tasking list and the queue its emerging
 * hot-spot opens (one month), the perception chart with points),
 * and the period form working without JavaScript.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClient } from '@libsql/client';
import type { Browser } from 'playwright-core';
import { expectAccessible, launchBrowser, newContext } from '../helpers/browser.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { staffContext } from '../helpers/staff.ts';
import { insertCases, insertConsultation, month } from '../helpers/insight.ts';

let server: TestServer;
let browser: Browser;

before(async () => {
  const first = await startServer();
  await first.stop('SIGTERM', { keepFiles: true });
  const db = createClient({ url: first.dbUrl });
  const last = month(-1);
  // Two wards with published counts (reports only last month) and an emerging hot-spot; an open P1 and a repeat flag.
  await insertCases(db, 9, { ward: 'mill-lane', category: 'noise', at: last.start + 3_600_000 });
  await insertCases(db, 6, { ward: 'saltings', category: 'vandalism', at: last.start + 3_600_000 });
  await insertCases(db, 2, { ward: 'northgate', category: 'asb-personal', at: month(0).start, status: 'open', priority: 'P1', flags: ['repeat_reporter'] });
  const answers: [string, string, string][] = [];
  for (let i = 0; i < 6; i++) answers.push(['mill-lane', 'very-safe', i < 2 ? 'fairly-safe' : 'very-unsafe'], ['saltings', 'fairly-safe', i < 5 ? 'very-safe' : 'a-bit-unsafe']);
  await insertConsultation(db, { status: 'published', closesAt: last.start + 86_400_000 }, answers);
  await db.execute('DELETE FROM insight_counts');
  db.close();
  server = await startServer({}, { restartOf: first });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a triage officer chooses a period without JavaScript, sees the ranking and emerging hot-spots, and the tasking list; each state passes axe', async () => {
  const context = await staffContext(browser, server.url, 'triage@hollowmere.example', false);
  const page = await context.newPage();
  await page.goto('/staff/insight/hot-spots');
  await page.selectOption('#from', month(-1).id);
  await page.selectOption('#to', month(-1).id);
  await page.getByRole('button', { name: 'Show hot-spots' }).click();
  await page.waitForURL(/from=/);
  assert.equal(await page.locator('table').first().locator('tbody tr').first().locator('td').nth(1).innerText(), 'Mill Lane');
  assert.ok(await page.getByRole('cell', { name: 'Mill Lane' }).count() >= 2, 'Mill Lane is ranked and flagged');
  await expectAccessible(page, 'hot-spots');
  await page.selectOption('#from', month(-1).id);
  await page.selectOption('#to', month(-2).id);
  await page.getByRole('button', { name: 'Show hot-spots' }).click();
  await page.waitForURL(/from=/);
  assert.match(await page.locator('.error-summary').innerText(), /The last month must be the same as or after the first month/);
  await expectAccessible(page, 'hot-spots error');
  await page.goto('/staff/insight/tasking');
  assert.equal(await page.locator('a[href="/staff/queue?ward=northgate&priority=high&sort=priority"]').count(), 1, 'the open P1 cases link to the queue');
  await expectAccessible(page, 'tasking');
  // An emerging hot-spot's link opens the queue on its ward, type and month, counted as the figure counts: its cases, the month named and chosen.
  const link = page.locator(`a[href="/staff/queue?status=all&ward=mill-lane&category=noise&month=${month(-1).id}&counted=1"]`);
  const line = await page.locator('tr', { has: link }).innerText();
  const reports = Number(/(\d+) reports in/.exec(line)?.[1]);
  assert.ok(reports >= 9, line);
  await link.click();
  await page.waitForURL(/\/staff\/queue\?/);
  assert.equal(new URL(page.url()).searchParams.get('month'), month(-1).id);
  assert.match(await page.locator('#month-filter').innerText(), /^Showing the cases received in [A-Z][a-z]+ \d{4}\. Show every month$/);
  assert.equal(await page.locator('#month').inputValue(), month(-1).id);
  assert.equal(await page.locator('tbody tr').count(), reports);
  assert.match(await page.locator('#counted-filter').innerText(), /duplicate or spam are left out\. List them too$/);
  await expectAccessible(page, 'queue filtered by month');
  // A ranked ward over two months: its link opens the queue over both months, the range named and chosen.
  await page.goto(`/staff/insight/hot-spots?from=${month(-2).id}&to=${month(-1).id}`);
  const ranked = Number(await page.locator('table').first().locator('tr', { has: page.getByRole('link', { name: 'Mill Lane' }) }).locator('td').nth(2).innerText());
  await page.locator('table').first().getByRole('link', { name: 'Mill Lane' }).click();
  await page.waitForURL(/\/staff\/queue\?/);
  assert.match(await page.locator('#month-filter').innerText(), /^Showing the cases received in [A-Z][a-z]+ \d{4} to [A-Z][a-z]+ \d{4}\. The number of cases in each status is not shown for a range of months\. Show every month$/);
  assert.equal(await page.locator('#month').inputValue(), `${month(-2).id}..${month(-1).id}`);
  assert.ok(ranked > 0 && ranked < 50, `the ranked reports fit on one page: ${ranked}`);
  assert.equal(await page.locator('tbody tr').count(), ranked, 'the ranked reports');
  await expectAccessible(page, 'queue filtered by a range of months, counted reports');
  await context.close();
});

test('the public perception page draws the chart with its points and passes axe', async () => {
  const context = await newContext(browser, server.url, false);
  const page = await context.newPage();
  await page.goto('/statistics/perception');
  assert.equal(await page.locator('svg[role="img"] circle').count(), 2 + 1, 'a point in daylight for each of the two wards, plus the key');
  assert.equal(await page.locator('svg[role="img"] rect').count(), 2 + 1, 'a point after dark for each ward, plus the key');
  await expectAccessible(page, 'perception');
  await context.close();
});
