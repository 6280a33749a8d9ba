/** Slow requests are cut off by the configurable header and request timeouts; HSTS is sent for an https site. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { exchange } from '../helpers/raw-http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { SECURITY_HEADERS } from '../../src/platform/security/headers.ts';

let server: TestServer;
before(async () => {
  server = await startServer({ REQUEST_TIMEOUT_MS: '1500', HEADERS_TIMEOUT_MS: '1000', PUBLIC_URL: 'https://saferline.example' });
});
after(async () => {
  await server.stop();
});

/** A slow client: the answer must come long before the client would have finished (60 s of trickle). */
const TRICKLE_WAIT_MS = 20_000;

test('a body sent slowly is cut off with 408 (or a closed connection) at the request timeout', async () => {
  const head = `POST /feedback HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: ${server.url}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 600\r\n\r\n`;
  const parts = [head, ...Array.from({ length: 60 }, () => 'aaaaaaaaaa')];
  const res = await exchange(server.port, parts, { gapMs: 1000, waitMs: TRICKLE_WAIT_MS });
  assert.equal(res.closed, true, 'the server closed the connection');
  assert.ok(res.status === 408 || res.status === 0, `status ${res.status}`);
});

test('headers sent slowly are cut off at the headers timeout with a 408 carrying the security headers', async () => {
  const parts = ['GET / HTTP/1.1\r\n', ...Array.from({ length: 60 }, (_, i) => `X-Slow-${i}: 1\r\n`)];
  const res = await exchange(server.port, parts, { gapMs: 1000, waitMs: TRICKLE_WAIT_MS });
  assert.equal(res.closed, true, 'the server closed the connection');
  assert.equal(res.status, 408);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) assert.equal(res.headers[name.toLowerCase()], value, name);
  assert.match(res.headers['strict-transport-security'] ?? '', /max-age=\d{7,}/, 'HSTS for an https site');
});

test('an https site sends HSTS on pages and on refusals', async () => {
  const page = await fetch(`${server.url}/about`);
  assert.match(page.headers.get('strict-transport-security') ?? '', /max-age=\d{7,}/);
  const refused = await exchange(server.port, [`TRACE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);
  assert.equal(refused.status, 405);
  assert.match(refused.headers['strict-transport-security'] ?? '', /max-age=\d{7,}/);
});

test('a headers timeout longer than the request timeout stops start-up with a message naming it', async () => {
  const bad = await startServer({ REQUEST_TIMEOUT_MS: '2000', HEADERS_TIMEOUT_MS: '5000' }, { expectFailure: true });
  assert.notEqual(bad.proc.exitCode, 0);
  assert.match(bad.output(), /Saferline cannot start: .*HEADERS_TIMEOUT_MS/);
  await bad.stop();
});
