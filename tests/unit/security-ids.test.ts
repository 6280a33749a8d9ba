import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newId, newSecret, randomBytes } from '../../src/platform/security/ids.ts';
import { generateReference, parseReference } from '../../src/domains/reports/reference.ts';

test('pooled random bytes are never handed out twice, come in any length, and are copies', () => {
  const seen = new Set<string>();
  // 2,000 draws of 20 bytes cross the 4 kB pool's refill several times.
  for (let i = 0; i < 2000; i++) {
    const bytes = randomBytes(20);
    assert.equal(bytes.length, 20);
    const hex = Buffer.from(bytes).toString('hex');
    assert.ok(!seen.has(hex), 'no repeat');
    seen.add(hex);
  }
  assert.equal(randomBytes(10_000).length, 10_000, 'more than the pool holds');
  const a = randomBytes(16);
  const copy = Uint8Array.from(a);
  randomBytes(4096);
  assert.deepEqual(a, copy, 'a draw is not changed by later draws or refills');
});

test('ids, secrets and references from the pool keep their shapes and do not repeat', () => {
  const ids = Array.from({ length: 1000 }, () => newId());
  assert.equal(new Set(ids).size, 1000);
  assert.ok(ids.every((id) => /^[0-9a-z]{20}$/.test(id)));
  const secrets = Array.from({ length: 1000 }, () => newSecret(20));
  assert.equal(new Set(secrets).size, 1000);
  assert.ok(secrets.every((s) => /^[a-z2-7]{32}$/.test(s)));
  const refs = Array.from({ length: 1000 }, () => generateReference('HM'));
  assert.ok(refs.every((r) => parseReference(r, 'HM') === r), 'every reference carries a valid check character');
  assert.ok(new Set(refs).size > 990);
});
