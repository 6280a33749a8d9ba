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
import { eq, inArray } from 'drizzle-orm';

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

test('closed cases past retention are anonymised: personal data and photos go, the statistics stay, a legal hold and a longer period for the type are respected', async () => {
  const { loadSiteConfig } = await import('../../src/platform/config/partnership.ts');
  const { createCase } = await import('../../src/domains/reports/submit.ts');
  const { anonymiseExpiredCases } = await import('../../src/domains/cases/retention.ts');
  const { changeLegalHold } = await import('../../src/domains/cases/legal-hold.ts');
  const { auditEvents, attachments, caseEvents, cases, reporters } = await import('../../src/platform/db/schema.ts');
  const config = loadSiteConfig('content');
  const retention = config.partnership.retentionDays;
  assert.ok((retention.byCaseType['domestic-concern'] ?? 0) > retention.closedCases, 'the demo keeps domestic abuse concerns longer');
  const uploads = join(dir, 'uploads');
  const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#654321' } }).jpeg().toBuffer();
  const photo = await storePhoto(uploads, jpeg, 'c.jpg');
  const heldPhoto = await storePhoto(uploads, jpeg, 'd.jpg');
  const ctx = { config, actor: { kind: 'public' as const }, publicUrl: 'http://localhost' };
  const base = { kind: 'report' as const, channel: 'web' as const, categoryId: 'noise', description: 'Noise every night from the flat above.', wardId: 'mill-lane', privacy: 'named' as const };
  const old = await createCase({ ...base, locationText: 'Flat 2, Mill Lane', reporter: { name: 'Old Reporter', email: 'old@example.com' }, photos: [photo], idempotencyKey: 'ret-old' }, ctx);
  const kept = await createCase({ ...base, reporter: { name: 'Kept Reporter', email: 'kept@example.com' }, idempotencyKey: 'ret-kept' }, ctx);
  const held = await createCase({ ...base, reporter: { name: 'Held Reporter', email: 'held@example.com' }, photos: [heldPhoto], idempotencyKey: 'ret-held' }, ctx);
  const longer = await createCase({ ...base, categoryId: 'domestic-concern', reporter: { name: 'Longer Reporter', email: 'longer@example.com' }, idempotencyKey: 'ret-longer' }, ctx);
  const day = 86_400_000;
  const closedAt = Date.now() - (retention.closedCases + 1) * day;
  await getDatabase().writer.batch([
    toStatement(getDb().update(cases).set({ status: 'closed', closedAt, resolutionCode: 'action-taken' }).where(inArray(cases.id, [old.id, held.id, longer.id]))),
    toStatement(getDb().update(cases).set({ status: 'closed', closedAt: Date.now() - day }).where(eq(cases.id, kept.id))),
  ]);
  assert.deepEqual(await changeLegalHold(held.ref, { hold: true, reason: 'Evidence for a civil injunction' }, { kind: 'user', id: 'officer' }), { ok: true });
  const [before] = await getDb().select().from(cases).where(eq(cases.id, old.id));
  const { referrals, referralDocuments } = await import('../../src/platform/db/schema.ts');
  const { storeDocument } = await import('../../src/domains/referrals/documents.ts');
  const doc = await storeDocument(uploads, Buffer.from('Visit notes naming Old Reporter.'), 'notes.txt');
  await getDatabase().writer.batch([
    toStatement(getDb().insert(referrals).values({ id: 'referral-old', caseId: old.id, agencyId: 'police', status: 'accepted', snapshot: {}, sentBy: 'officer', sentAt: 1, acknowledgeDueAt: 2, completeDueAt: 3, updatedAt: 1 })),
    toStatement(getDb().insert(referralDocuments).values({ id: 'document-old', referralId: 'referral-old', caseId: old.id, agencyId: 'police', eventId: 'event-old', filename: doc.filename, storageKey: doc.key, mime: doc.mime, bytes: doc.bytes, sha256: doc.sha256, uploadedBy: 'officer', createdAt: 1 })),
  ]);
  assert.equal(existsSync(join(uploads, 'documents', doc.key)), true);

  assert.equal(await anonymiseExpiredCases(retention, uploads), 1);
  assert.equal((await getDb().select().from(referralDocuments).where(eq(referralDocuments.caseId, old.id))).length, 0, 'partner document rows gone');
  assert.equal(existsSync(join(uploads, 'documents', doc.key)), false, 'partner document file gone');
  const [row] = await getDb().select().from(cases).where(eq(cases.id, old.id));
  assert.equal(row!.description, '[removed]');
  assert.equal(row!.locationText, '[removed]');
  assert.equal(row!.reporterId, null);
  for (const k of ['ref', 'categoryId', 'wardId', 'districtId', 'receivedAt', 'closedAt', 'status', 'resolutionCode', 'priority'] as const) assert.deepEqual(row![k], before![k], `${k} kept`);
  assert.ok((await getDb().select().from(caseEvents).where(eq(caseEvents.caseId, old.id))).length > 0, 'the timeline of actions stays');
  assert.equal((await getDb().select().from(attachments).where(eq(attachments.caseId, old.id))).length, 0, 'attachment rows gone');
  assert.equal(existsSync(join(uploads, photo.key)), false, 'photo file gone');
  assert.equal((await getDb().select().from(reporters).where(eq(reporters.email, 'old@example.com'))).length, 0, 'reporter gone');
  for (const [c, email, why] of [[kept, 'kept@example.com', 'a recently closed case'], [held, 'held@example.com', 'a case under legal hold'], [longer, 'longer@example.com', 'a type with a longer period']] as const) {
    const [r] = await getDb().select().from(cases).where(eq(cases.id, c.id));
    assert.equal(r!.description, base.description, `${why} keeps its text`);
    assert.equal(r!.anonymisedAt, null, why);
    assert.equal((await getDb().select().from(reporters).where(eq(reporters.email, email))).length, 1, `${why} keeps its reporter`);
  }
  assert.equal(existsSync(join(uploads, heldPhoto.key)), true, 'the held case keeps its photo');
  const [tomb] = await getDb().select().from(auditEvents).where(eq(auditEvents.action, 'case.anonymised'));
  assert.equal(tomb!.data!.ref, old.ref);
  assert.equal(tomb!.data!.reason, 'retention');
  assert.doesNotMatch(JSON.stringify(tomb), /old@example\.com|Old Reporter|Noise every night/);
  assert.equal(await anonymiseExpiredCases(retention, uploads), 0, 'a second run finds nothing more');

  // Lifting the hold lets the next run through; the longer period runs out later.
  await changeLegalHold(held.ref, { hold: false, reason: 'The injunction was granted' }, { kind: 'user', id: 'officer' });
  assert.equal(await anonymiseExpiredCases(retention, uploads), 1);
  assert.equal(existsSync(join(uploads, heldPhoto.key)), false);
  const later = Date.now() + (retention.byCaseType['domestic-concern']! - retention.closedCases) * day;
  assert.equal(await anonymiseExpiredCases(retention, uploads, later), 1);
  const [l] = await getDb().select().from(cases).where(eq(cases.id, longer.id));
  assert.equal(l!.description, '[removed]');
});

test('retention per case type may only extend the standard period, for a known category or feedback', async () => {
  const { crossCheck, loadSiteConfig } = await import('../../src/platform/config/partnership.ts');
  const config = loadSiteConfig('content');
  const withTypes = (byCaseType: Record<string, number>) => ({ ...config, partnership: { ...config.partnership, retentionDays: { ...config.partnership.retentionDays, byCaseType } } });
  assert.doesNotThrow(() => crossCheck(withTypes({ feedback: 3000, noise: 2190 })));
  assert.throws(() => crossCheck(withTypes({ 'no-such-category': 3000 })), /unknown case type 'no-such-category'/);
  assert.throws(() => crossCheck(withTypes({ noise: 100 })), /shorter than retentionDays.closedCases/);
});

test('resolved cases close when their reopen window ends (in bounded batches, with a timeline entry and an audit row), so retention then anonymises them', async () => {
  const { loadSiteConfig } = await import('../../src/platform/config/partnership.ts');
  const { createCase } = await import('../../src/domains/reports/submit.ts');
  const { anonymiseExpiredCases } = await import('../../src/domains/cases/retention.ts');
  const { closeResolvedCases } = await import('../../src/domains/cases/auto-close.ts');
  const { changeStatus, describeEvent } = await import('../../src/domains/cases/actions.ts');
  const { insertUser, settings } = await import('./cases-fixtures.ts');
  const { auditEvents, caseEvents, cases, reporters } = await import('../../src/platform/db/schema.ts');
  const config = loadSiteConfig('content');
  const retention = config.partnership.retentionDays;
  const day = 86_400_000;
  const window = config.partnership.reopenWindowDays * day;
  const now = Date.now();
  const officer = await insertUser();
  const ctx = { config, actor: { kind: 'public' as const }, publicUrl: 'http://localhost' };
  const base = { kind: 'report' as const, channel: 'web' as const, categoryId: 'noise', description: 'Shouting in the car park at night.', wardId: 'mill-lane', privacy: 'named' as const };
  const make = (key: string, email: string) => createCase({ ...base, reporter: { name: 'Resolved Reporter', email }, idempotencyKey: key }, ctx);
  const resolve = async (ref: string, at: number) => assert.deepEqual(await changeStatus(ref, officer, { to: 'resolved', resolutionCode: 'advice_given' }, settings, at), { ok: true, ref });
  // Resolved long ago and never reopened: past its window, and past retention counted from the window's end.
  const resolvedAt = now - (retention.closedCases + 2) * day - window;
  const old = await make('auto-close-old', 'resolved-old@example.com');
  const second = await make('auto-close-second', 'resolved-second@example.com');
  const recent = await make('auto-close-recent', 'resolved-recent@example.com');
  const reopened = await make('auto-close-reopened', 'resolved-reopened@example.com');
  await resolve(old.ref, resolvedAt);
  await resolve(second.ref, resolvedAt + day);
  await resolve(recent.ref, now - day);
  await resolve(reopened.ref, now - window - 2 * day);
  assert.deepEqual(await changeStatus(reopened.ref, officer, { to: 'open' }, settings, now - window - day), { ok: true, ref: reopened.ref });

  assert.equal(await anonymiseExpiredCases(retention, join(dir, 'uploads'), now), 0, 'a resolved case is not closed yet, so retention has not started');
  assert.equal(await closeResolvedCases(now, 1, 1), 1, 'one batch of one per run');
  assert.equal(await closeResolvedCases(now), 1, 'the next run closes the rest');
  assert.equal(await closeResolvedCases(now), 0);

  const [o] = await getDb().select().from(cases).where(eq(cases.id, old.id));
  assert.equal(o!.status, 'closed');
  assert.equal(o!.closedAt, resolvedAt + window, 'closed as of the end of its reopen window');
  assert.equal(o!.resolutionCode, 'advice_given');
  for (const c of [recent, reopened]) {
    const [r] = await getDb().select({ status: cases.status }).from(cases).where(eq(cases.id, c.id));
    assert.notEqual(r!.status, 'closed', 'a case still in its window, or reopened, stays as it is');
  }
  const events = await getDb().select().from(caseEvents).where(eq(caseEvents.caseId, old.id));
  const closing = events.find((e) => e.action === 'case.status' && (e.data as { to?: string }).to === 'closed');
  assert.equal(closing?.actorKind, 'system');
  assert.equal(describeEvent(closing!), 'Status changed from Resolved to Closed: Advice given (the reopen window ended)');
  const audits = await getDb().select().from(auditEvents).where(eq(auditEvents.action, 'case.closed'));
  assert.deepEqual(audits.map((a) => a.data!.ref).sort(), [old.ref, second.ref].sort());

  assert.equal(await anonymiseExpiredCases(retention, join(dir, 'uploads'), now), 2, 'retention now reaches the cases closed from resolved');
  const [a] = await getDb().select().from(cases).where(eq(cases.id, old.id));
  assert.equal(a!.description, '[removed]');
  assert.equal(a!.reporterId, null);
  assert.equal((await getDb().select().from(reporters).where(eq(reporters.email, 'resolved-old@example.com'))).length, 0);
  assert.equal((await getDb().select().from(reporters).where(eq(reporters.email, 'resolved-recent@example.com'))).length, 1);
});
