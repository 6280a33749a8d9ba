/**
 * The map pin in real Chromium against a local tile server: a pin dropped on the where step (by a click, then
 * moved with the keyboard) is stored on the case and shown to staff; with the tile server stopped the island
 * takes itself away and the same journey still completes by the text route.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { Page } from 'playwright-core';
import { createClient } from '@libsql/client';
import { expectAccessible, newContext } from '../helpers/browser.ts';
import { browser, server, useBrowserRig } from '../helpers/browser-rig.ts';
import { startTileServer } from '../helpers/tile-server.ts';
import { cont, reportUpToWhere } from '../helpers/report-journey.ts';
import { signInAs } from '../integration/staff-sign-in.ts';

const tiles = await startTileServer();
useBrowserRig({ env: { MAP_TILE_URL: tiles.urlTemplate } });
after(() => tiles.close());

/** From the where step (postcode typed) to the confirmation: an anonymous report; returns its reference. */
async function finishReport(page: Page, onCheck: (page: Page) => Promise<void>) {
  await page.getByLabel('Postcode', { exact: true }).fill('hw1 3ab');
  await cont(page);
  await page.getByLabel('Me and my household').check();
  await page.getByRole('group', { name: 'Has this happened before?' }).getByLabel('Yes').check();
  await cont(page);
  await cont(page);
  await page.getByLabel('Anonymous', { exact: true }).check();
  await cont(page);
  assert.match(page.url(), /\/report\/check$/);
  await onCheck(page);
  await cont(page, 'Send your report');
  assert.match(page.url(), /\/report\/confirmation$/);
  return (await page.locator('.reference').first().textContent())!.trim();
}

async function storedLocation(ref: string) {
  const db = createClient({ url: server.dbUrl });
  try {
    const r = await db.execute({ sql: 'SELECT lat, lon, location_source FROM cases WHERE ref = ?', args: [ref] });
    return r.rows[0] as unknown as { lat: number | null; lon: number | null; location_source: string | null };
  } finally {
    db.close();
  }
}

test('a pin dropped with JavaScript on is stored on the case and shown to staff; with the tile server stopped the journey still completes', async () => {
  const context = await newContext(browser, server.url, true);
  const page = await context.newPage();
  await reportUpToWhere(page);
  const map = page.getByRole('application', { name: 'Drop a pin on the map (optional)' });
  await page.locator('.leaflet-tile-loaded').first().waitFor();
  assert.ok(tiles.requests() > 0, 'tiles come from the configured tile server (the CSP allows them)');
  await expectAccessible(page, 'where step with the map');

  // A click drops the pin; Enter on the focused map moves it to the centre after the arrow keys moved the map.
  const box = (await map.boundingBox())!;
  await map.click({ position: { x: box.width / 4, y: box.height / 4 } });
  const status = page.getByRole('status');
  await status.filter({ hasText: 'Pin dropped on the map at' }).waitFor();
  const clicked = await page.locator('input[name="lat"]').inputValue();
  assert.ok(Number(clicked) > 52.95, 'the pin is north of the centre, where it was clicked');
  await map.focus();
  // Wait for the pan to happen and end before Enter, so the pin goes where the map has moved to.
  const pane = await page.locator('.leaflet-map-pane').getAttribute('style');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((before) => document.querySelector('.leaflet-map-pane')?.getAttribute('style') !== before && !document.querySelector('.leaflet-pan-anim'), pane);
  await page.keyboard.press('Enter');
  await page.waitForFunction((before) => (document.querySelector<HTMLInputElement>('input[name="lat"]')?.value ?? before) !== before, clicked);
  const lat = await page.locator('input[name="lat"]').inputValue();
  const lon = await page.locator('input[name="lon"]').inputValue();
  assert.ok(Math.abs(Number(lat) - 52.95) < 0.001, `Enter dropped the pin at the centre (${lat})`);
  assert.ok(Number(lon) > -1.5, `the arrow key moved the map east (${lon})`);
  assert.equal(await page.locator('.map-pin__pin').count(), 1, 'one pin');
  await page.getByRole('button', { name: 'Remove pin' }).waitFor();
  await expectAccessible(page, 'where step with a pin');

  const ref = await finishReport(page, async (check) => {
    assert.ok(await check.getByText('Pin dropped on the map').isVisible(), 'check answers says a pin was dropped');
    await expectAccessible(check, 'check answers with a pin');
  });
  assert.deepEqual({ ...(await storedLocation(ref)) }, { lat: Number(lat), lon: Number(lon), location_source: 'pin' });
  const staff = await signInAs(server.url, 'triage@hollowmere.example');
  const casePage = await (await staff.get(`/staff/cases/${ref}`)).text();
  assert.ok(casePage.includes(`${lat}, ${lon} (pin dropped on the map)`), 'staff see the coordinates in full');
  assert.ok(casePage.includes(`https://www.openstreetmap.org/?mlat=${lat}&amp;mlon=${lon}`), 'with a link to open them on a map');

  // The map unavailable: the island takes itself away when no tile loads, and the text route still works.
  await tiles.close();
  const offline = await context.newPage();
  await reportUpToWhere(offline);
  await offline.locator('[data-map-pin]:empty').waitFor({ state: 'attached' });
  assert.equal(await offline.getByRole('application').count(), 0, 'no map');
  await expectAccessible(offline, 'where step with the map unavailable');
  const textRef = await finishReport(offline, async () => {});
  assert.deepEqual({ ...(await storedLocation(textRef)) }, { lat: null, lon: null, location_source: null });
  await context.close();
});
