/**
 * Issue 10, the triage and call-handler defects, in the domain: call lengths in seconds with a ceiling, the 999
 * instruction alone, caller details confirmed and never revealed, the ASB Case Review count by named place, owners
 * limited to people who can work the case, and the acknowledgement and reply e-mails.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { openTestDatabase } from '../helpers/db.ts';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';
import { getDatabase, getDb, toStatement } from '../../src/platform/db/client.ts';
import { cases, outbox } from '../../src/platform/db/schema.ts';
import { renderMail } from '../../src/platform/mail/templates.ts';
import { readDuration } from '../../src/domains/calls/duration.ts';
import { readCallForm } from '../../src/domains/calls/form.ts';
import { confirmCaller, lookUpCaller } from '../../src/domains/calls/lookup.ts';
import { assignCase, sendReply } from '../../src/domains/cases/actions.ts';
import { detectCaseThresholds } from '../../src/domains/cases/detect.ts';
import { listCaseWorkers, ownersForCases } from '../../src/domains/cases/owners.ts';
import { placeKey } from '../../src/domains/cases/thresholds.ts';
import { acknowledgementPromise, createCase } from '../../src/domains/reports/submit.ts';
import { verifyTrackAccess } from '../../src/domains/reports/track.ts';
import { generateReference } from '../../src/domains/reports/reference.ts';
import { insertCase, insertReporter, insertUser, settings } from './cases-fixtures.ts';

const config = loadSiteConfig('content');
const NOW = Date.now();
let cleanup: () => Promise<void>;
before(async () => ({ cleanup } = await openTestDatabase()));
after(() => cleanup());

function form(fields: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return f;
}

test('7: a call length of "90" is 90 seconds, "1:30" the same; over 4 hours is refused with a message', () => {
  assert.deepEqual(readDuration('90'), { ok: true, seconds: 90 });
  assert.deepEqual(readDuration('1:30'), { ok: true, seconds: 90 });
  assert.deepEqual(readDuration('4:00:00'), { ok: true, seconds: 14_400 });
  const long = readDuration('4:00:01');
  assert.equal(long.ok, false);
  assert.match((long as { message: string }).message, /4 hours/);
  const silent = { reason: 'silent', 'outcome-silent': 'silent', token: 'a'.repeat(26), startedAt: '', durationAuto: '' };
  const ninety = readCallForm(form({ ...silent, duration: '90' }), config, [], NOW);
  assert.equal(ninety.draft?.durationS, 90);
  assert.equal(ninety.draft?.startedAt, NOW - 90_000, 'a call never started begins its typed length before now');
  const tooLong = readCallForm(form({ ...silent, duration: '300:00' }), config, [], NOW);
  assert.deepEqual(tooLong.errors.map((e) => e.field), ['duration']);
  assert.match(tooLong.errors[0]!.text, /4 hours/);
});

test('7: the timer counts from when the call started, not from when the screen opened', () => {
  const base = { reason: 'silent', 'outcome-silent': 'silent', token: 'b'.repeat(26), openedAt: String(NOW - 600_000) };
  const started = readCallForm(form({ ...base, startedAt: String(NOW - 45_000), duration: '0:44', durationAuto: '0:44' }), config, [], NOW);
  assert.equal(started.draft?.durationS, 45);
  const notStarted = readCallForm(form({ ...base, startedAt: '', duration: '', durationAuto: '' }), config, [], NOW);
  assert.deepEqual(notStarted.errors.map((e) => e.field), ['duration'], 'no start and nothing typed: ask for the length, never count from the screen opening');
});

test('20: someone in danger shows only the 999 instruction', () => {
  const r = readCallForm(form({ reason: 'new-report', danger: 'yes', callerEmail: 'not an email', duration: 'nonsense' }), config, [], NOW);
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0]!.field, 'danger');
  assert.match(r.errors[0]!.text, /999/);
});

test('8: a look-up never reveals a confidential reporter; typed details are confirmed as matching or not', async () => {
  const reporterId = await insertReporter({ name: 'Casey Confidential', email: 'casey@example.org', phoneE164: '+447700900123' });
  const mine = await insertCase({ reporterId, privacy: 'confidential', ref: generateReference('HM') });
  const other = await insertCase({ reporterId, privacy: 'confidential', ref: generateReference('HM') });
  const byRef = await lookUpCaller(mine.ref, 'HM');
  assert.ok(byRef.ok);
  assert.deepEqual(byRef.caller, { phoneE164: null, email: null });
  assert.doesNotMatch(JSON.stringify(byRef), /Casey|casey@|7700900123/);
  assert.deepEqual(byRef.cases.map((c) => c.ref), [mine.ref], "the reporter's other cases are not found through details the handler was not given");
  const yes = await confirmCaller(mine.ref, { name: ' casey  CONFIDENTIAL', phone: '07700 900123', email: '' });
  assert.deepEqual(yes, { ok: true, ref: mine.ref, name: 'matches', phone: 'matches', email: 'not-typed' });
  const no = await confirmCaller(mine.ref, { name: 'Someone Else', email: 'someone@example.org' });
  assert.ok(no.ok && no.name === 'does-not-match' && no.email === 'does-not-match' && no.phone === 'not-typed');
  assert.equal((await confirmCaller(other.ref, { name: 'x' }, { kind: 'district', districtIds: ['nowhere'] })).ok, false);
});

test('20: a look-up by name or street finds cases, with their status and the last reply (the reporter named in it only with pii.view)', async () => {
  const reporterId = await insertReporter({ name: 'Nell Namesake', email: 'nell@example.org' });
  const c = await insertCase({ reporterId, locationText: 'Outside the bakery, Weaver Close', postcode: null });
  const officer = await insertUser();
  assert.equal((await sendReply(c.ref, officer, 'Dear Nell Namesake, we have asked the council to check the bins. Thank you, Nell.', settings, NOW)).ok, true);
  const byName = await lookUpCaller('nell namesake', 'HM');
  assert.ok(byName.ok && byName.kind === 'text');
  assert.deepEqual(byName.cases.map((x) => x.ref), [c.ref]);
  assert.equal(byName.cases[0]!.status, 'new');
  assert.equal(byName.cases[0]!.lastReply?.body, 'Dear [the reporter], we have asked the council to check the bins. Thank you, [the reporter].');
  assert.doesNotMatch(JSON.stringify(byName.cases), /Nell|Namesake/i);
  const withPii = await lookUpCaller('nell namesake', 'HM', 20, { kind: 'all' }, true);
  assert.ok(withPii.ok);
  assert.match(withPii.cases[0]!.lastReply?.body ?? '', /^Dear Nell Namesake, /);
  const byStreet = await lookUpCaller('weaver close', 'HM');
  assert.ok(byStreet.ok && byStreet.cases.some((x) => x.ref === c.ref));
  const wild = await lookUpCaller('%%%_', 'HM');
  assert.equal(wild.ok, false, 'LIKE wildcards alone are not a search');
});

test('9: three "Groups causing nuisance" reports at Market Square with no postcode meet the ASB Case Review threshold', async () => {
  const names = ['Market Square', 'outside Greggs, market sq', 'Market Square, by the benches'];
  assert.equal(new Set(names.map((n) => placeKey(n, config.gazetteer.places.map((p) => p.name)))).size, 1);
  const made = [];
  for (const [i, place] of names.entries()) {
    made.push(await insertCase({ categoryId: 'youth-nuisance', postcode: null, locationText: place, receivedAt: NOW - (3 - i) * 86_400_000, reporterId: await insertReporter({ email: `p${i}@example.org` }) }));
  }
  const [row] = await getDb().select().from(cases).where(eq(cases.id, made[2]!.id));
  const result = await detectCaseThresholds(row!, NOW);
  assert.equal(result.complaintCount, 3);
  assert.ok(result.flags.includes('repeat_location'));
  assert.ok(result.caseReview);
  const elsewhere = await insertCase({ categoryId: 'youth-nuisance', postcode: null, locationText: 'Quayside', reporterId: await insertReporter({ email: 'q@example.org' }) });
  const [far] = await getDb().select().from(cases).where(eq(cases.id, elsewhere.id));
  assert.deepEqual((await detectCaseThresholds(far!, NOW)).flags, []);
});

test('repeat location by coordinates: the cases within 150 m are found however many cases the category has elsewhere; one 400 m away is not', async () => {
  const day = 86_400_000;
  // 2,100 older fly-tipping cases across the county: more than the 2,000 a place read may return.
  const filler = Array.from({ length: 2_100 }, (_, i) => ({
    id: `filler-${i}`, ref: `HM-F${String(i).padStart(6, '0')}`, status: 'new', statusChangedAt: NOW - 100 * day, channel: 'web' as const, categoryId: 'fly-tipping', privacy: 'anonymous' as const,
    description: 'Rubbish', postcode: null, lat: 52.9 - (i % 50) * 0.001, lon: -1.4, receivedAt: NOW - 100 * day + i, updatedAt: NOW - 100 * day,
  }));
  for (let i = 0; i < filler.length; i += 100) await getDatabase().writer.batch([toStatement(getDatabase().db.insert(cases).values(filler.slice(i, i + 100)))]);
  const at = { categoryId: 'fly-tipping', locationText: null };
  await insertCase({ ...at, postcode: 'HW3 5AA', lat: 52.95, lon: -1.5, receivedAt: NOW - 3 * day, reporterId: await insertReporter({ email: 'n1@example.org' }) });
  await insertCase({ ...at, postcode: 'HW3 5AB', lat: 52.9505, lon: -1.5005, receivedAt: NOW - 2 * day, reporterId: await insertReporter({ email: 'n2@example.org' }) });
  await insertCase({ ...at, postcode: 'HW3 6AA', lat: 52.9536, lon: -1.5, receivedAt: NOW - 2 * day, reporterId: await insertReporter({ email: 'n3@example.org' }) });
  const subject = await insertCase({ ...at, postcode: 'HW3 5AD', lat: 52.9501, lon: -1.4999, receivedAt: NOW - day, reporterId: await insertReporter({ email: 'n4@example.org' }) });
  const [row] = await getDb().select().from(cases).where(eq(cases.id, subject.id));
  const result = await detectCaseThresholds(row!, NOW);
  assert.equal(result.complaintCount, 3, 'the case and the two within 150 m, not the one 400 m away nor the filler');
  assert.ok(result.flags.includes('repeat_location'));
});

test('5: only people who can work the case may own it; the server refuses the others', async () => {
  const assigner = await insertUser();
  const editor = await insertUser({ role: 'editor', name: 'Eddie Editor' }, ['publish']);
  const handler = await insertUser({ role: 'call_handler', name: 'Cal Handler' }, ['call.log']);
  const partner = await insertUser({ role: 'partner_officer', name: 'Pat Partner', agencyId: 'police' }, ['referral.partner']);
  const district = await insertUser({ role: 'district_officer', name: 'Dee District', districtId: 'brackenford' });
  const c = await insertCase({ districtId: 'eastmere' });
  const inBrackenford = await insertCase({ districtId: 'brackenford' });
  for (const who of [editor, handler, partner, district]) {
    const r = await assignCase(c.ref, assigner, { ownerId: who.id }, settings, NOW);
    assert.equal(r.ok, false, `${who.name} cannot own a case they cannot work`);
    assert.match((r as { message: string }).message, /can work this case/);
  }
  assert.equal((await assignCase(inBrackenford.ref, assigner, { ownerId: district.id }, settings, NOW)).ok, true, 'a district officer may own their district’s case');
  const workers = await listCaseWorkers();
  const names = workers.map((w) => w.name);
  assert.ok(names.includes(assigner.name!) && names.includes('Dee District'));
  assert.ok(!names.includes('Eddie Editor') && !names.includes('Cal Handler') && !names.includes('Pat Partner'));
  const forEastmere = ownersForCases(workers, [{ districtId: 'eastmere', referredAgencyId: null }]).map((w) => w.name);
  assert.ok(!forEastmere.includes('Dee District'));
});

test('16: acknowledgements say what comes next, feedback and complaints get their own words, the invite subject reads', () => {
  const promise = acknowledgementPromise('report', null, config.targets.publicPromise);
  assert.doesNotMatch(promise, /acknowledge/i);
  assert.match(promise, /^We will tell you what we are doing within 5 working days\.$/);
  const report = renderMail('case-received', { ref: 'HM-1', partnership: 'P', kind: 'report', promise });
  assert.match(report.subject, /We have your report/);
  assert.doesNotMatch(report.text, /acknowledge/i);
  const complaint = renderMail('case-received', { ref: 'HM-2', partnership: 'P', kind: 'complaint', promise: acknowledgementPromise('feedback', 'complaint', config.targets.publicPromise) });
  assert.match(complaint.subject, /We have your complaint/);
  assert.match(complaint.text, /within 10 working days/);
  assert.doesNotMatch(complaint.text, /5 working days|your report/);
  const compliment = renderMail('case-received', { ref: 'HM-3', partnership: 'P', kind: 'compliment', promise: acknowledgementPromise('feedback', 'compliment', config.targets.publicPromise) });
  assert.match(compliment.subject, /We have your compliment/);
  assert.doesNotMatch(compliment.text, /working days/);
  assert.equal(renderMail('user-link', { kind: 'invite', partnership: 'Hollowmere CSP', url: 'u', expiresIn: '7 days' }).subject, 'Hollowmere CSP: you have been invited to Saferline');
});

test('16: a complaint is acknowledged as a complaint; a staff reply e-mails a private link that opens the case, and the first still works', async () => {
  const created = await createCase(
    { kind: 'feedback', channel: 'web', feedbackType: 'complaint', description: 'Nobody called me back.', privacy: 'named', reporter: { name: 'Cam Complainer', email: 'cam@example.org' } },
    { config, actor: { kind: 'public' }, publicUrl: 'https://saferline.example' },
    NOW,
  );
  const [ack] = await getDb().select().from(outbox).where(eq(outbox.recipient, 'cam@example.org'));
  assert.equal(ack!.payload.kind, 'complaint');
  assert.match(String(ack!.payload.promise), /10 working days/);
  const officer = await insertUser();
  assert.equal((await sendReply(created.ref, officer, 'We are sorry. See {{trackUrl}}', settings, NOW)).ok, true);
  const mails = await getDb().select().from(outbox).where(eq(outbox.recipient, 'cam@example.org'));
  const reply = mails.find((m) => m.template === 'case-reply')!;
  const link = new URL(String(reply.payload.trackUrl));
  assert.equal(link.pathname, '/track/link');
  assert.equal(await verifyTrackAccess(created.ref, { linkToken: link.searchParams.get('key')! }), created.id);
  const first = new URL(String(ack!.payload.trackUrl));
  assert.equal(await verifyTrackAccess(created.ref, { linkToken: first.searchParams.get('key')! }), created.id, 'the acknowledgement link still works');
  assert.match(String(reply.payload.body), /See https:\/\/saferline\.example\/track$/, 'the stored reply text carries no private token');
});
