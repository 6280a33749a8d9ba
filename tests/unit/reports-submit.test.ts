import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { openTestDatabase } from '../helpers/db.ts';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';
import { auditEvents, caseEvents, cases, equalityResponses, outbox, reporters } from '../../src/platform/db/schema.ts';
import { getDb } from '../../src/platform/db/client.ts';
import { createCase, type NewCase } from '../../src/domains/reports/submit.ts';
import { addReporterInformation, loadTrackView, verifyTrackAccess } from '../../src/domains/reports/track.ts';
import { createDraft } from '../../src/domains/reports/drafts.ts';
import { recordEqualityOnce } from '../../src/domains/reports/equality.ts';
import { firstIncompleteStep, nextStep, readStep, type ReportAnswers } from '../../src/domains/reports/journey.ts';

const config = loadSiteConfig('content');
let cleanup: () => Promise<void>;
before(async () => ({ cleanup } = await openTestDatabase()));
after(() => cleanup());

const base: NewCase = {
  kind: 'report',
  channel: 'web',
  categoryId: 'noise',
  description: 'Loud music every night after midnight from the flat above.',
  wardId: 'mill-lane',
  privacy: 'named',
  reporter: { name: 'Alex Example', email: 'alex@example.com', phoneE164: '+447700900982', preferredContact: 'email' },
};
const ctx = { config, actor: { kind: 'public' as const, ip: '127.0.0.1' }, publicUrl: 'http://localhost:4321' };

test('a submission is one commit holding the case, reporter, timeline, audit and outbox rows', async () => {
  const created = await createCase({ ...base, idempotencyKey: 'draft-one' }, ctx);
  const db = getDb();
  const [c] = await db.select().from(cases).where(eq(cases.id, created.id));
  assert.equal(c!.status, 'new');
  assert.equal(c!.channel, 'web');
  assert.equal(c!.districtId, 'brackenford');
  assert.equal(c!.priority, 'P4');
  assert.equal((await db.select().from(reporters).where(eq(reporters.id, c!.reporterId!))).length, 1);
  assert.equal((await db.select().from(caseEvents).where(eq(caseEvents.caseId, created.id))).length, 1);
  assert.equal((await db.select().from(auditEvents).where(eq(auditEvents.subjectId, created.id))).length, 1);
  const mail = await db.select().from(outbox).where(eq(outbox.recipient, 'alex@example.com'));
  assert.equal(mail.length, 1);
  assert.equal(mail[0]!.payload.ref, created.ref);
});

test('a double submit creates one case', async () => {
  const input = { ...base, idempotencyKey: 'draft-double' };
  const [a, b, c] = await Promise.all([createCase(input, ctx), createCase(input, ctx), createCase(input, ctx)]);
  assert.equal(a.ref, b.ref);
  assert.equal(b.ref, c.ref);
  const rows = await getDb().select().from(cases).where(eq(cases.idempotencyKey, 'draft-double'));
  assert.equal(rows.length, 1);
  const again = await createCase(input, ctx);
  assert.equal(again.ref, a.ref);
  assert.equal(again.existing, true);
});

test('20 equality answers for one report at once (one group commit) store one row; only the first is recorded', async () => {
  const draft = await createDraft('report', {});
  const before = (await getDb().select().from(equalityResponses)).length;
  const results = await Promise.all(Array.from({ length: 20 }, () => recordEqualityOnce(draft.id, { age: '25-44' })));
  assert.equal(results.filter(Boolean).length, 1, 'one call recorded the answers');
  assert.equal((await getDb().select().from(equalityResponses)).length, before + 1);
});

test('anonymous reports store no contact and are tracked with a secret', async () => {
  const created = await createCase({ ...base, privacy: 'anonymous', reporter: null, idempotencyKey: 'anon' }, ctx);
  assert.ok(created.trackSecret);
  const [c] = await getDb().select().from(cases).where(eq(cases.id, created.id));
  assert.equal(c!.reporterId, null);
  assert.equal(await verifyTrackAccess(created.ref, { secret: created.trackSecret! }), created.id);
  assert.equal(await verifyTrackAccess(created.ref, { secret: created.trackSecret!.toLowerCase().replace('-', ' ') }), created.id);
  assert.equal(await verifyTrackAccess(created.ref, { secret: 'WRONG-SECRT' }), null);
});

test('tracking by reference and e-mail, by private link, and adding information', async () => {
  const created = await createCase({ ...base, idempotencyKey: 'track' }, ctx);
  assert.equal(await verifyTrackAccess(created.ref, { email: 'ALEX@example.com ' }), created.id);
  assert.equal(await verifyTrackAccess(created.ref, { email: 'someone@else.com' }), null);
  assert.equal(await verifyTrackAccess(created.ref, { linkToken: created.linkToken! }), created.id);
  assert.equal(await verifyTrackAccess(created.ref, { linkToken: 'forged' }), null);
  assert.equal(await verifyTrackAccess('HM-2222-2222', { email: 'alex@example.com' }), null);
  await addReporterInformation(created.id, 'It happened again last night.', { publicUrl: ctx.publicUrl, partnership: 'x', targets: config.targets });
  const view = await loadTrackView(created.id);
  assert.equal(view!.events.length, 1);
  assert.equal(view!.events[0]!.body, 'It happened again last night.');
});

test('journey steps validate in plain words and refuse hostile values', () => {
  const a: ReportAnswers = {};
  const f = (o: Record<string, string | string[]>) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(o)) for (const x of [v].flat()) form.append(k, x);
    return form;
  };
  assert.equal(readStep('danger', f({}), a, config).errors[0]!.text, 'Select yes if anyone is in danger right now');
  assert.equal(nextStep('danger', { danger: 'yes' }), 'emergency');
  assert.equal(readStep('category', f({ category: 'not-a-category' }), a, config).errors.length, 1);
  assert.equal(readStep('category', f({ category: ['noise', 'vandalism'] }), a, config).errors.length, 1, 'two values for one answer');
  assert.match(readStep('description', f({ description: 'x'.repeat(5001) }), a, config).errors[0]!.text, /5000 characters or fewer/);
  assert.equal(readStep('description', f({ description: 'He shouted <inaudible> at us' }), a, config).answers.description, 'He shouted <inaudible> at us', 'angle brackets are ordinary text');
  assert.match(readStep('description', f({ description: 'Broken \uFFFD text here' }), a, config).errors[0]!.text, /cannot be read/);
  const where = readStep('where', f({ postcode: 'hw2 3xy', place: '' }), a, config);
  assert.deepEqual(where.errors, []);
  assert.equal(where.answers.ward, 'saltings');
  assert.equal(readStep('where', f({ postcode: 'nonsense' }), a, config).errors[0]!.text, 'Enter a real postcode, like HW1 2AB');
  const contact = readStep('contact', f({ name: 'Sam', email: 'sam@', phone: '12', preferredContact: 'email', consentShare: 'yes' }), { privacy: 'named' }, config);
  assert.deepEqual(contact.errors.map((e) => e.field), ['email', 'phone']);
  const date = readStep('when-details', f({ 'when-day': '31', 'when-month': '2', 'when-year': '2026' }), { whenKind: 'date' }, config);
  assert.equal(date.errors[0]!.text, 'Date it happened must be a real date');
  const future = readStep('when-details', f({ 'when-day': '1', 'when-month': '1', 'when-year': '2999' }), { whenKind: 'date' }, config);
  assert.equal(future.errors[0]!.text, 'Date it happened must be today or in the past');
  assert.equal(firstIncompleteStep({ danger: 'no', category: 'noise' }), 'description');
});
