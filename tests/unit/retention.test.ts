import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { openTestDatabase } from '../helpers/db.ts';
import { getDatabase, getDb, toStatement } from '../../src/platform/db/client.ts';
import { drafts, rateLimits } from '../../src/platform/db/schema.ts';
import { createDraft, purgeDrafts, saveDraft } from '../../src/domains/reports/drafts.ts';
import { storePhoto } from '../../src/domains/reports/photos.ts';
import { hitRateLimit, purgeRateLimits } from '../../src/platform/security/rate-limit.ts';
import { eq } from 'drizzle-orm';

let cleanup: () => Promise<void>;
let dir: string;
before(async () => ({ cleanup, dir } = await openTestDatabase()));
after(() => cleanup());

test('abandoned drafts are deleted after the retention period, with their photos; sent drafts keep the case photos', async () => {
  const uploads = join(dir, 'uploads');
  const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } }).jpeg().toBuffer();
  const day = 86_400_000;
  const old = Date.now() - 10 * day;
  const abandoned = await createDraft('report', {}, old);
  const photo = await storePhoto(uploads, jpeg, 'a.jpg');
  await saveDraft(abandoned, { photos: [photo] } as never, old);
  const sent = await createDraft('report', {}, old);
  const sentPhoto = await storePhoto(uploads, jpeg, 'b.jpg');
  await saveDraft(sent, { photos: [sentPhoto] } as never, old);
  await getDatabase().writer.batch([toStatement(getDb().update(drafts).set({ caseId: 'case-1' }).where(eq(drafts.id, sent.id)))]);
  const fresh = await createDraft('report', {});
  assert.equal(await purgeDrafts(7 * day, uploads), 2);
  const left = await getDb().select({ id: drafts.id }).from(drafts);
  assert.deepEqual(left.map((d) => d.id), [fresh.id]);
  assert.equal(existsSync(join(uploads, photo.key)), false, 'the abandoned photo is deleted');
  assert.equal(existsSync(join(uploads, sentPhoto.key)), true, 'the sent report keeps its photo');
});

test('expired rate-limit buckets are purged, current ones kept', async () => {
  const now = Date.now();
  await hitRateLimit('purge:old', 5, 60_000, now - 2 * 86_400_000);
  await hitRateLimit('purge:new', 5, 60_000, now);
  await purgeRateLimits(86_400_000, now);
  const keys = (await getDb().select({ key: rateLimits.key }).from(rateLimits)).map((r) => r.key);
  assert.ok(keys.includes('purge:new'));
  assert.ok(!keys.includes('purge:old'));
});

test('closed cases past retention are deleted with timeline, photos and reporter; a tombstone without personal data stays', async () => {
  const { loadSiteConfig } = await import('../../src/platform/config/partnership.ts');
  const { createCase } = await import('../../src/domains/reports/submit.ts');
  const { disposeClosedCases } = await import('../../src/domains/cases/retention.ts');
  const { auditEvents, attachments, caseEvents, cases, reporters } = await import('../../src/platform/db/schema.ts');
  const config = loadSiteConfig('content');
  const uploads = join(dir, 'uploads');
  const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#654321' } }).jpeg().toBuffer();
  const photo = await storePhoto(uploads, jpeg, 'c.jpg');
  const ctx = { config, actor: { kind: 'public' as const }, publicUrl: 'http://localhost' };
  const base = { kind: 'report' as const, channel: 'web' as const, categoryId: 'noise', description: 'Noise every night from the flat above.', wardId: 'mill-lane', privacy: 'named' as const };
  const old = await createCase({ ...base, reporter: { name: 'Old Reporter', email: 'old@example.com' }, photos: [photo], idempotencyKey: 'ret-old' }, ctx);
  const kept = await createCase({ ...base, reporter: { name: 'Kept Reporter', email: 'kept@example.com' }, idempotencyKey: 'ret-kept' }, ctx);
  const day = 86_400_000;
  const closedAt = Date.now() - (config.partnership.retentionDays.closedCases + 1) * day;
  await getDatabase().writer.batch([
    toStatement(getDb().update(cases).set({ status: 'closed', closedAt }).where(eq(cases.id, old.id))),
    toStatement(getDb().update(cases).set({ status: 'closed', closedAt: Date.now() - day }).where(eq(cases.id, kept.id))),
  ]);
  assert.equal(await disposeClosedCases(config.partnership.retentionDays.closedCases, uploads), 1);
  assert.equal((await getDb().select().from(cases).where(eq(cases.id, old.id))).length, 0);
  assert.equal((await getDb().select().from(caseEvents).where(eq(caseEvents.caseId, old.id))).length, 0, 'timeline gone');
  assert.equal((await getDb().select().from(attachments).where(eq(attachments.caseId, old.id))).length, 0, 'attachment rows gone');
  assert.equal(existsSync(join(uploads, photo.key)), false, 'photo file gone');
  assert.equal((await getDb().select().from(reporters).where(eq(reporters.email, 'old@example.com'))).length, 0, 'reporter gone');
  assert.equal((await getDb().select().from(cases).where(eq(cases.id, kept.id))).length, 1, 'a recently closed case stays');
  const [tomb] = await getDb().select().from(auditEvents).where(eq(auditEvents.action, 'case.disposed'));
  assert.equal(tomb!.data!.ref, old.ref);
  assert.doesNotMatch(JSON.stringify(tomb), /old@example\.com|Old Reporter|Noise every night/);
});
