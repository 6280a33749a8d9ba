import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openTestDatabase } from '../helpers/db.ts';
import { hitRateLimit, peekRateLimit, describeWait, RateLimitGate } from '../../src/platform/security/rate-limit.ts';
import { seededRandom } from '../../src/platform/seeded-random.ts';
import type { Database } from '../../src/platform/db/client.ts';

let cleanup: () => Promise<void>;
let database: Database;
before(async () => ({ cleanup, database } = await openTestDatabase()));
after(() => cleanup());

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
const W = 5 * 60_000;

test('hitRateLimit allows `limit` hits in the window, refuses the next, and says when to try again', async () => {
  for (let i = 1; i <= 10; i++) {
    const r = await hitRateLimit('k1', 10, W, T0 + i * 1000);
    assert.equal(r.allowed, true, `hit ${i}`);
    assert.equal(r.count, i);
  }
  const over = await hitRateLimit('k1', 10, W, T0 + 11_000);
  assert.equal(over.allowed, false);
  assert.ok(over.retryAfterMs > 4 * 60_000 && over.retryAfterMs <= W + W / 5, `retry after ${over.retryAfterMs}`);
  assert.equal((await peekRateLimit('k1', 10, W, T0 + 12_000)).allowed, false);
  assert.equal((await peekRateLimit('other', 10, W, T0 + 12_000)).allowed, true, 'keys are separate');
  // After the window (plus at most one bucket) has passed, hits are allowed again.
  const later = T0 + 11_000 + over.retryAfterMs;
  assert.equal((await peekRateLimit('k1', 10, W, later)).allowed, true);
  assert.equal((await peekRateLimit('k1', 10, W, later - 2000)).allowed, false);
});

test('no span of the window ever lets more than the limit through (hits spread across bucket edges)', async () => {
  const allowedAt: number[] = [];
  for (let t = 0; t < 20 * 60_000; t += 7_000) {
    const now = T0 + t;
    if ((await peekRateLimit('k2', 10, W, now)).allowed) {
      await hitRateLimit('k2', 10, W, now);
      allowedAt.push(now);
    }
  }
  for (const start of allowedAt) {
    const inWindow = allowedAt.filter((x) => x >= start && x < start + W).length;
    assert.ok(inWindow <= 10, `${inWindow} hits in the 5 minutes from ${start - T0}`);
  }
  assert.ok(allowedAt.length >= 30, `still lets steady traffic through (${allowedAt.length})`);
});

test('describeWait words a wait the way people say it: never "71 minutes" for an hourly limit', () => {
  assert.equal(describeWait(71 * 60_000), 'about an hour');
  assert.equal(describeWait(59 * 60_000), 'about an hour');
  assert.equal(describeWait(3 * 3_600_000 - 60_000), 'about 3 hours');
  assert.equal(describeWait(3 * 86_400_000), 'about 3 days');
  assert.equal(describeWait(23 * 60_000), '25 minutes');
  assert.equal(describeWait(4 * 60_000 + 1), '5 minutes');
  assert.equal(describeWait(61_000), '2 minutes');
  assert.equal(describeWait(60_000), '1 minute');
  assert.equal(describeWait(1_500), '2 seconds');
});

test('several keys counted in one write give the same answers as one at a time', async () => {
  const { hitRateLimits } = await import('../../src/platform/security/rate-limit.ts');
  const now = Date.now();
  let last: Awaited<ReturnType<typeof hitRateLimits>> = [];
  for (let i = 0; i < 4; i++) last = await hitRateLimits([{ key: 'multi:a', limit: 3, windowMs: 60_000 }, { key: 'multi:b', limit: 10, windowMs: 60_000 }], now + i);
  assert.equal(last[0]!.allowed, false, 'a: 4 hits over a limit of 3');
  assert.ok(last[0]!.retryAfterMs > 0);
  assert.equal(last[1]!.allowed, true, 'b: 4 hits under a limit of 10');
  assert.equal(last[1]!.count, 4);
});

test('RateLimitGate\'s verdict in SQL (for the writer thread) agrees with allows, over 200 seeded random histories of one or two keys', async () => {
  const seed = Number(process.env.RATE_SEED ?? 20261130);
  const random = seededRandom(seed);
  const pick = <T,>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
  let refused = 0;
  for (let n = 0; n < 200; n++) {
    const now = T0 + Math.floor(random() * 86_400_000);
    const hits = Array.from({ length: 1 + Math.floor(random() * 2) }, (_, k) => ({ key: `verdict:${n}:${k}`, limit: 1 + Math.floor(random() * 6), windowMs: pick([60_000, W, 3_600_000]), amount: pick([1, 1, 2]) }));
    // Earlier hits in buckets before, inside and at the edge of each key's window.
    const earlier = hits.flatMap((h) => Array.from({ length: Math.floor(random() * 5) }, () => [h.key, Math.floor((now - random() * 1.4 * h.windowMs) / (h.windowMs / 5)) * (h.windowMs / 5), 1 + Math.floor(random() * 3)]));
    if (earlier.length > 0) await database.client.batch(earlier.map(([key, start, count]) => ({ sql: 'insert into rate_limits (key, window_start, count) values (?, ?, ?) on conflict (key, window_start) do update set count = count + excluded.count', args: [key!, start!, count!] })), 'write');
    const gate = new RateLimitGate(hits, now);
    const tx = await database.client.transaction('write');
    try {
      const checked = await tx.batch([...gate.sql.counts, gate.sql.verdict]);
      const verdict = Number(checked.at(-1)!.rows[0]![0]);
      await tx.rollback();
      const asked = gate.allows(await database.client.batch(gate.statements, 'write'));
      assert.equal(verdict === 1, asked, `seed ${seed}, history ${n}: ${JSON.stringify({ hits, earlier, now })}`);
      if (!asked) refused++;
    } finally {
      tx.close();
    }
  }
  assert.ok(refused > 20 && refused < 180, `both answers were tried (${refused} refusals of 200)`);
});
