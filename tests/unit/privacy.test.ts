/**
 * Residents' rights: subject access export, erasure on request and legal hold, against a real database file
 * and real photo files. Cases are made through the real submission path, replies through the case actions and
 * calls through the call log.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import sharp from 'sharp';
import { openTestDatabase } from '../helpers/db.ts';
import { insertUser, settings } from './cases-fixtures.ts';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';
import { getDatabase, getDb, toStatement } from '../../src/platform/db/client.ts';
import { attachments, auditEvents, calls, caseEvents, cases, outbox, reporters } from '../../src/platform/db/schema.ts';
import { newSecret } from '../../src/platform/security/ids.ts';
import { createCase } from '../../src/domains/reports/submit.ts';
import { storePhoto } from '../../src/domains/reports/photos.ts';
import { sendReply, viewReporterDetails } from '../../src/domains/cases/actions.ts';
import { readCallForm } from '../../src/domains/calls/form.ts';
import { logCall } from '../../src/domains/calls/log.ts';
import { changeLegalHold } from '../../src/domains/cases/legal-hold.ts';
import { eraseSubject, exportSubjectData, readSubject, subjectSchema } from '../../src/domains/privacy/index.ts';
import { referCase } from '../../src/domains/referrals/index.ts';
import { recordAudit } from '../../src/platform/audit.ts';
import { validateForm } from '../../src/platform/forms/index.ts';

const config = loadSiteConfig('content');
let cleanup: () => Promise<void>;
let uploads: string;
const admin = { kind: 'user' as const, id: 'admin000000000000001', ip: '127.0.0.1' };
before(async () => {
  let dir: string;
  ({ cleanup, dir } = await openTestDatabase());
  uploads = join(dir, 'uploads');
});
after(() => cleanup());

const ctx = () => ({ config, actor: { kind: 'public' as const }, publicUrl: 'http://localhost' });
const base = { kind: 'report' as const, channel: 'web' as const, categoryId: 'noise', wardId: 'mill-lane', privacy: 'named' as const };

/** A photo file stored as the report journey stores it. */
async function photo(colour: string) {
  const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: colour } }).jpeg().toBuffer();
  return storePhoto(uploads, jpeg, 'p.jpg');
}

/** A call logged on the call screen without a case. */
async function logInfoCall(fields: Record<string, string>) {
  const f = new FormData();
  for (const [k, v] of Object.entries({ token: newSecret(16), startedAt: String(Date.now() - 60_000), duration: '', durationAuto: '', reason: 'info-request', 'outcome-info-request': 'advice-given', advice: 'noise', question: 'Who do I ask about noise at night?', ...fields })) f.append(k, v);
  const read = readCallForm(f, config, ['noise'], Date.now());
  assert.deepEqual(read.errors, []);
  const logged = await logCall(read.draft!, { config, handler: { id: 'handler0000000000001', ip: null }, publicUrl: 'http://localhost', scope: { kind: 'all' } });
  assert.ok(logged.ok);
  return logged.callId;
}

test('the person field takes an e-mail address (lower-cased as stored) or a UK phone number in any format (E.164), with GOV.UK messages', () => {
  assert.deepEqual(readSubject('  Alex.Person@Example.COM '), { kind: 'email', value: 'alex.person@example.com' });
  assert.deepEqual(readSubject('07700 900123'), { kind: 'phone', value: '+447700900123' });
  assert.deepEqual(readSubject('+44 (0)7700-900123'), { kind: 'phone', value: '+447700900123' });
  assert.equal(readSubject('not a contact'), null);
  const empty = validateForm(subjectSchema, { subject: '' });
  assert.ok(!empty.ok && empty.errors[0]!.text === 'Enter the email address or phone number of the person' && empty.errors[0]!.href === '#subject');
  const wrong = validateForm(subjectSchema, { subject: 'alex@' });
  assert.ok(!wrong.ok && /correct format/.test(wrong.errors[0]!.text));
});

test('subject access: the export holds the person\'s reports, calls, replies and staff views, nobody else\'s, and is audited', async () => {
  const officer = await insertUser({ role: 'triage_officer' });
  const mine = await createCase({ ...base, description: 'Alex: music through the wall every night.', reporter: { name: 'Alex Person', email: 'alex@example.com', phoneE164: '+447700900123' }, photos: [await photo('#112233')], idempotencyKey: 'sar-mine' }, ctx());
  const other = await createCase({ ...base, description: 'Blair: dogs barking all day.', reporter: { name: 'Blair Other', email: 'blair@example.com', phoneE164: '+447700900999' }, idempotencyKey: 'sar-other' }, ctx());
  assert.deepEqual(await sendReply(mine.ref, officer, 'Thank you Alex, an officer will visit on Tuesday.', settings), { ok: true, ref: mine.ref });
  assert.deepEqual(await sendReply(other.ref, officer, 'Thank you Blair, we have written to the owner.', settings), { ok: true, ref: other.ref });
  await viewReporterDetails(mine.id, officer);
  await viewReporterDetails(other.id, officer);
  await logInfoCall({ callerName: 'Alex Person', callerPhone: '07700 900123', callerEmail: 'Alex@Example.com' });
  await logInfoCall({ callerName: 'Blair Other', callerPhone: '07700 900999' });

  for (const subject of [readSubject('ALEX@example.com')!, readSubject('07700900123')!]) {
    const document = await exportSubjectData(subject, admin, config.partnership.name);
    const text = JSON.stringify(document);
    assert.doesNotMatch(text, /Blair|blair@example\.com|900999|dogs barking/, `nobody else's data (${subject.kind})`);
    assert.equal(document.format, 'saferline-subject-access/1');
    assert.match(document.notes.join(' '), /Equality monitoring answers .* no link to any person or report/);
    if (subject.kind === 'email') {
      assert.deepEqual(document.reports.map((r) => r.ref), [mine.ref]);
      const report = document.reports[0]!;
      assert.equal(report.description, 'Alex: music through the wall every night.');
      assert.equal(report.photos.length, 1);
      assert.ok(report.messages.some((m) => m.kind === 'reply' && m.body === 'Thank you Alex, an officer will visit on Tuesday.'), 'the reply sent');
      assert.deepEqual(document.contactDetails.map((c) => c.email), ['alex@example.com']);
      assert.ok(document.emails.some((e) => e.template === 'case-received' && e.ref === mine.ref), 'the acknowledgement e-mail');
      assert.deepEqual(document.staffViews.map((v) => [v.caseRef, v.staffRole]), [[mine.ref, 'triage_officer']]);
    }
    assert.equal(document.calls.length, 1, `the call (${subject.kind})`);
    assert.equal(document.calls[0]!.callerName, 'Alex Person');
  }
  const audits = await getDb().select().from(auditEvents).where(and(eq(auditEvents.action, 'privacy.export'), eq(auditEvents.actorId, admin.id)));
  assert.equal(audits.length, 2, 'each export is audited');
  assert.deepEqual(audits[0]!.data!.refs, [mine.ref]);
  assert.doesNotMatch(JSON.stringify(audits), /alex@example\.com|\+447700900123/, 'the audit row names cases, not the contact detail');
});

test('erasure removes the personal fields and photos, keeps the statistics fields, writes an audit row, and leaves other people alone', async () => {
  const officer = await insertUser({ role: 'triage_officer' });
  const stored = await photo('#445566');
  const mine = await createCase(
    { ...base, description: 'Casey: the neighbour at number 4 shouts at my children.', whenText: 'Every evening', locationText: '4 Mill Lane', postcode: 'HW3 1AB', peopleInvolved: 'The man at number 4', whoAffected: 'me', reporter: { name: 'Casey Erase', email: 'casey@example.com', phoneE164: '+447700900555' }, photos: [stored], idempotencyKey: 'erase-mine' },
    ctx(),
  );
  const other = await createCase({ ...base, description: 'Drew: bins left out all week.', reporter: { name: 'Drew Keep', email: 'drew@example.com' }, idempotencyKey: 'erase-other' }, ctx());
  await sendReply(mine.ref, officer, 'Thank you Casey.', settings);
  await getDatabase().writer.batch([toStatement(getDb().update(cases).set({ status: 'resolved', resolutionCode: 'advice-given', priority: 'P3' }).where(eq(cases.id, mine.id)))]);
  const callId = await logInfoCall({ callerName: 'Casey Erase', callerEmail: 'casey@example.com' });
  const [beforeRow] = await getDb().select().from(cases).where(eq(cases.id, mine.id));
  assert.ok(existsSync(join(uploads, stored.key)));
  // Caller look-ups that typed Casey's address or name, and one for someone else, as the call screen audits them.
  const officerActor = { kind: 'user' as const, id: officer.id, ip: null };
  const lookedUp = (searched: string) => recordAudit(officerActor, 'caller.lookup', null, { kind: 'text', searched, refs: [], calls: 0 });
  await lookedUp('casey@example.com');
  await lookedUp('casey erase');
  await lookedUp('drew keep');

  const result = await eraseSubject(readSubject('casey@example.com')!, admin, uploads);
  assert.deepEqual(result, { ok: true, cases: 1, calls: 1, photos: 1 });

  const [row] = await getDb().select().from(cases).where(eq(cases.id, mine.id));
  assert.equal(row!.description, '[removed]');
  assert.equal(row!.whenText, '[removed]');
  assert.equal(row!.locationText, '[removed]');
  assert.equal(row!.peopleInvolved, '[removed]');
  assert.equal(row!.postcode, null);
  assert.equal(row!.reporterId, null);
  assert.equal(row!.linkTokenHash, null);
  assert.ok(row!.anonymisedAt);
  for (const kept of ['ref', 'kind', 'channel', 'categoryId', 'wardId', 'districtId', 'receivedAt', 'status', 'resolutionCode', 'priority', 'privacy'] as const) {
    assert.deepEqual(row![kept], beforeRow![kept], `${kept} kept for the statistics`);
  }
  assert.equal((await getDb().select().from(reporters).where(eq(reporters.email, 'casey@example.com'))).length, 0, 'contact details gone');
  assert.equal((await getDb().select().from(attachments).where(eq(attachments.caseId, mine.id))).length, 0, 'photo rows gone');
  assert.equal(existsSync(join(uploads, stored.key)), false, 'photo file deleted from UPLOAD_DIR');
  const events = await getDb().select().from(caseEvents).where(eq(caseEvents.caseId, mine.id));
  assert.ok(events.some((e) => e.action === 'case.reply'), 'the reply event stays as a fact');
  assert.doesNotMatch(JSON.stringify(events), /Casey|number 4/);
  const [call] = await getDb().select().from(calls).where(eq(calls.id, callId));
  assert.deepEqual([call!.callerName, call!.callerEmail, call!.notes], [null, null, '[removed]']);
  assert.equal((await getDb().select().from(outbox).where(eq(outbox.recipient, 'casey@example.com'))).length, 0, 'e-mails to the address gone');
  const [audit] = await getDb().select().from(auditEvents).where(eq(auditEvents.action, 'privacy.erasure'));
  assert.deepEqual(audit!.data!.refs, [mine.ref]);
  assert.equal(audit!.actorId, admin.id);
  assert.ok((await getDb().select().from(auditEvents).where(and(eq(auditEvents.action, 'case.anonymised'), eq(auditEvents.subjectId, mine.id)))).length === 1);
  const searches = (await getDb().select().from(auditEvents).where(eq(auditEvents.action, 'caller.lookup'))).map((a) => a.data!.searched).sort();
  assert.deepEqual(searches, ['(erased)', '(erased)', 'drew keep'], "look-ups keep that they happened, not Casey's address or name");
  const [untouched] = await getDb().select().from(cases).where(eq(cases.id, other.id));
  assert.equal(untouched!.description, 'Drew: bins left out all week.');
  assert.ok(untouched!.reporterId);
  // Nothing is left to find.
  const again = await exportSubjectData(readSubject('casey@example.com')!, admin, config.partnership.name);
  assert.deepEqual([again.reports.length, again.calls.length, again.contactDetails.length], [0, 0, 0]);
});

test('erasure is refused, changing nothing, while a case is under legal hold; lifting the hold lets it through; both changes are audited', async () => {
  const officer = await insertUser({ role: 'triage_officer' });
  const held = await createCase({ ...base, description: 'Eden: threats on the stairwell.', reporter: { name: 'Eden Held', email: 'eden@example.com' }, photos: [await photo('#778899')], idempotencyKey: 'hold-1' }, ctx());
  const free = await createCase({ ...base, description: 'Eden: graffiti on the door.', reporter: { name: 'Eden Held', email: 'eden@example.com' }, idempotencyKey: 'hold-2' }, ctx());
  const actor = { kind: 'user' as const, id: officer.id, ip: null };
  assert.deepEqual(await changeLegalHold(held.ref, { hold: true, reason: 'Needed for the ASB Case Review in March' }, actor), { ok: true });
  // A second placing (from a page read before the first) is refused and keeps the first reason.
  assert.deepEqual(await changeLegalHold(held.ref, { hold: true, reason: 'Another reason' }, actor), { ok: false, message: 'This case is already under legal hold: its reason is below. Nothing was changed' });
  assert.equal((await getDb().select({ reason: cases.legalHoldReason }).from(cases).where(eq(cases.id, held.id)))[0]!.reason, 'Needed for the ASB Case Review in March');
  const refused = await eraseSubject(readSubject('eden@example.com')!, admin, uploads);
  assert.ok(!refused.ok);
  assert.deepEqual(refused.held, [held.ref]);
  assert.match(refused.message, new RegExp(`${held.ref} is under legal hold`));
  for (const id of [held.id, free.id]) {
    const [row] = await getDb().select().from(cases).where(eq(cases.id, id));
    assert.match(row!.description, /^Eden:/, 'nothing was removed from either case');
    assert.equal(row!.anonymisedAt, null);
  }
  assert.equal((await getDb().select().from(auditEvents).where(and(eq(auditEvents.action, 'case.legal_hold_set'), eq(auditEvents.subjectId, held.id)))).length, 1);
  assert.deepEqual(await changeLegalHold(held.ref, { hold: false, reason: 'The review met and closed the matter' }, actor), { ok: true });
  const cleared = await getDb().select().from(auditEvents).where(and(eq(auditEvents.action, 'case.legal_hold_cleared'), eq(auditEvents.subjectId, held.id)));
  assert.equal(cleared.length, 1);
  assert.equal(cleared[0]!.data?.reason, 'The review met and closed the matter', 'the reason for lifting is in the audit event');
  const done = await eraseSubject(readSubject('eden@example.com')!, admin, uploads);
  assert.deepEqual(done, { ok: true, cases: 2, calls: 0, photos: 1 });
  assert.deepEqual(await changeLegalHold(held.ref, { hold: true, reason: 'Too late' }, actor), { ok: false, message: 'The personal data of this case has already been removed, so there is nothing to hold' });
});

test('subject access lists every disclosure of the person\'s cases to a partner agency, with what was shared and on what basis', async () => {
  const officer = await insertUser({ role: 'triage_officer' });
  const c = await createCase({ ...base, description: 'Casey: loud parties in the flat above.', consentShare: true, reporter: { name: 'Casey Caller', email: 'casey@example.com' }, idempotencyKey: 'sar-referral' }, ctx());
  await getDatabase().writer.batch([toStatement(getDb().update(cases).set({ status: 'open' }).where(eq(cases.id, c.id)))]);
  const sent = await referCase(c.ref, officer, { agencyId: 'asb-team', fields: ['category', 'description', 'location'] }, { ...settings, config });
  assert.equal(sent.ok, true);
  const document = await exportSubjectData(readSubject('casey@example.com')!, admin, config.partnership.name);
  assert.equal(document.disclosures.length, 1);
  const disclosure = document.disclosures[0]!;
  assert.equal(disclosure.caseRef, c.ref);
  assert.equal(disclosure.agency, 'asb-team');
  assert.match(JSON.stringify(disclosure.shared), /loud parties/);
  assert.ok(String((disclosure.shared as Record<string, unknown>).legalBasis ?? '').length > 0, 'the legal basis travels with the disclosure');
});
