/** Limits on what residents can store: new drafts and photo bytes per address and in total, and the bounded image queue. */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { openTestDatabase } from '../helpers/db.ts';
import { draftSentStatement, loadDraft, saveDraft, startDraft } from '../../src/domains/reports/drafts.ts';
import { PHOTO_JOBS, PHOTO_QUEUE, PhotoBusyError, photoQueueStats, reservePhotoBytes, storePhoto } from '../../src/domains/reports/photos.ts';
import { hitRateLimits } from '../../src/platform/security/rate-limit.ts';

let db: Awaited<ReturnType<typeof openTestDatabase>>;
before(async () => {
  db = await openTestDatabase();
});
after(() => db.cleanup());

async function countDrafts(): Promise<number> {
  return Number((await db.database.client.execute('SELECT count(*) AS n FROM drafts')).rows[0]!.n);
}

test('a weighted hit counts its amount against the limit', async () => {
  const now = Date.now();
  const [first] = await hitRateLimits([{ key: 'weighted', limit: 100, windowMs: 60_000, amount: 60 }], now);
  assert.equal(first!.allowed, true);
  assert.equal(first!.count, 60);
  const [second] = await hitRateLimits([{ key: 'weighted', limit: 100, windowMs: 60_000, amount: 41 }], now);
  assert.equal(second!.allowed, false);
  assert.equal(second!.count, 101);
  assert.ok(second!.retryAfterMs > 0 && second!.retryAfterMs <= 60_000 + 12_000);
});

test('new drafts are limited per address, and in total, and a refused draft stores nothing', async () => {
  const now = Date.now();
  const limits = { perAddress: 2, total: 3 };
  const before = await countDrafts();
  assert.equal((await startDraft('report', { danger: 'no' }, '203.0.113.1', limits, now)).ok, true);
  assert.equal((await startDraft('report', { danger: 'no' }, '203.0.113.1', limits, now)).ok, true);
  const third = await startDraft('report', { danger: 'no' }, '203.0.113.1', limits, now);
  assert.equal(third.ok, false, 'the address has used its two');
  assert.ok(!third.ok && third.retryAfterMs > 0 && third.retryAfterMs <= 3_600_000 + 720_000, 'says when to try again');
  // The refused attempts above did not use up everyone's allowance: another address still gets the third.
  for (let i = 0; i < 5; i++) await startDraft('report', {}, '203.0.113.1', limits, now);
  assert.equal((await startDraft('report', { danger: 'no' }, '203.0.113.2', limits, now)).ok, true);
  const overall = await startDraft('report', { danger: 'no' }, '203.0.113.3', limits, now);
  assert.equal(overall.ok, false, 'everyone together has used the three');
  assert.equal(await countDrafts(), before + 3, 'only the allowed drafts were stored');
  const later = await startDraft('report', { danger: 'no' }, '203.0.113.3', limits, now + 3_600_000 + 720_001);
  assert.equal(later.ok, true, 'allowed again after the wait');
});

test('photo bytes are limited per address per day, and in total', async () => {
  const now = Date.now();
  const quota = { perAddressBytes: 10_000, totalBytes: 15_000 };
  assert.equal((await reservePhotoBytes('198.51.100.1', 6_000, quota, now)).ok, true);
  const over = await reservePhotoBytes('198.51.100.1', 6_000, quota, now);
  assert.equal(over.ok, false, 'the address would pass 10,000 bytes');
  assert.ok(!over.ok && over.retryAfterMs > 0 && over.retryAfterMs <= 86_400_000 + 17_280_000);
  assert.equal((await reservePhotoBytes('198.51.100.2', 9_000, quota, now)).ok, true, "the refused bytes did not count against everyone's allowance");
  assert.equal((await reservePhotoBytes('198.51.100.3', 1_000, quota, now)).ok, false, 'everyone together would pass 15,000 bytes');
});

test('images are cleaned one at a time in a bounded queue; past the queue, uploads are refused as busy', async () => {
  const png = await sharp({ create: { width: 1200, height: 900, channels: 3, background: { r: 200, g: 80, b: 40 } } }).png().toBuffer();
  const uploadDir = join(db.dir, 'uploads');
  const tries = PHOTO_JOBS + PHOTO_QUEUE + 3;
  const results = await Promise.allSettled(Array.from({ length: tries }, (_, i) => storePhoto(uploadDir, png, `photo-${i}.png`)));
  const stored = results.filter((r) => r.status === 'fulfilled');
  const busy = results.filter((r) => r.status === 'rejected' && r.reason instanceof PhotoBusyError);
  assert.equal(stored.length, PHOTO_JOBS + PHOTO_QUEUE, 'the running and waiting photos were stored');
  assert.equal(busy.length, 3, 'the rest were refused at once');
  assert.match(String((busy[0] as PromiseRejectedResult).reason.message), /Try again in 1 minute/);
  assert.equal(readdirSync(uploadDir).length, PHOTO_JOBS + PHOTO_QUEUE, 'a refused photo leaves no file');
  const stats = photoQueueStats();
  assert.equal(stats.mostRunning, PHOTO_JOBS, `never more than ${PHOTO_JOBS} image at once`);
  assert.deepEqual([stats.running, stats.waiting], [0, 0], 'the queue is empty afterwards');
});

test('a photo taken sideways is still turned upright, and an upright one keeps its shape', async () => {
  const uploadDir = join(db.dir, 'uploads-orientation');
  const picture = sharp({ create: { width: 300, height: 100, channels: 3, background: { r: 10, g: 120, b: 200 } } });
  const sideways = await picture.clone().jpeg().withMetadata({ orientation: 6 }).toBuffer();
  const upright = await picture.clone().jpeg().toBuffer();
  const turned = await storePhoto(uploadDir, sideways, 'sideways.jpg');
  assert.deepEqual([turned.width, turned.height], [100, 300], 'EXIF orientation 6 applied to the pixels');
  const kept = await storePhoto(uploadDir, upright, 'upright.jpg');
  assert.deepEqual([kept.width, kept.height], [300, 100]);
  const stored = await sharp(join(uploadDir, turned.key)).metadata();
  assert.equal(stored.orientation, undefined, 'no orientation tag left to apply twice');
});

test('a draft loads as saved and as sent, only for its kind and within its age', async () => {
  const now = Date.now();
  const started = await startDraft('report', { danger: 'no' }, '203.0.113.9', { perAddress: 10, total: 100 }, now);
  assert.ok(started.ok);
  const saved = await saveDraft(started.draft, { category: 'noise' } as Record<string, unknown>, now);
  assert.deepEqual((await loadDraft('report', saved.id, 60_000, now))!.data, { danger: 'no', category: 'noise' });
  assert.equal(await loadDraft('consultation', saved.id, 60_000, now), null, 'another kind');
  assert.equal(await loadDraft('report', saved.id, 60_000, now + 60_001), null, 'too old');
  await db.database.writer.batch([draftSentStatement(saved, 'case-1', null, now)]);
  const sent = (await loadDraft('report', saved.id, 60_000, now))!;
  assert.equal(sent.caseId, 'case-1');
  assert.equal(sent.updatedAt, now);
});
