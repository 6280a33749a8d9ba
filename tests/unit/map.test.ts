/** The map pin's settings and coordinate helpers (src/platform/map.ts) and its environment settings. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseEnv } from '../../src/platform/config/env.ts';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';
import { isInBounds, mapSettings, roundForPublic, tileOrigin } from '../../src/platform/map.ts';

const partnership = loadSiteConfig('content').partnership;

test('no tile server or no map block means no map; both give the settings, zoom capped by the tile server', () => {
  assert.equal(mapSettings(parseEnv({}), partnership), null);
  assert.equal(mapSettings(parseEnv({ MAP_TILE_URL: 'https://tiles.example/{z}/{x}/{y}.png' }), { map: undefined }), null);
  const settings = mapSettings(parseEnv({ MAP_TILE_URL: 'https://tiles.example/{z}/{x}/{y}.png', MAP_MAX_ZOOM: '10' }), partnership);
  assert.equal(settings?.tileUrl, 'https://tiles.example/{z}/{x}/{y}.png');
  assert.equal(settings?.attribution, '© OpenStreetMap contributors');
  assert.equal(settings?.zoom, 10);
  assert.deepEqual(settings?.bounds, partnership.map!.bounds);
});

test('MAP_TILE_URL must be an http(s) template with {z}, {x} and {y}', () => {
  for (const bad of ['tiles.example/{z}/{x}/{y}.png', 'https://tiles.example/{z}/{x}.png', 'javascript:alert(1)//{z}{x}{y}']) {
    assert.throws(() => parseEnv({ MAP_TILE_URL: bad }), (e: Error) => e instanceof ConfigError && /MAP_TILE_URL/.test(e.message), bad);
  }
});

test('the tile origin for the CSP, with a {s} subdomain as a wildcard', () => {
  assert.equal(tileOrigin('https://tile.openstreetmap.org/{z}/{x}/{y}.png'), 'https://tile.openstreetmap.org');
  assert.equal(tileOrigin('https://{s}.tile.example.org/{z}/{x}/{y}.png'), 'https://*.tile.example.org');
  assert.equal(tileOrigin('http://127.0.0.1:8080/{z}/{x}/{y}.png'), 'http://127.0.0.1:8080');
});

test('bounds include their edges; public coordinates round to 3 places', () => {
  const b = { south: 52.85, west: -1.7, north: 53.05, east: -1.3 };
  assert.ok(isInBounds(b, 52.85, -1.7));
  assert.ok(isInBounds(b, 53, -1.5));
  assert.ok(!isInBounds(b, 53.06, -1.5));
  assert.ok(!isInBounds(b, 52.9, -1.29));
  assert.equal(roundForPublic(52.951234), 52.951);
  assert.equal(roundForPublic(-1.5025), -1.502);
});
