import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { openTestDatabase } from '../helpers/db.ts';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';
import { getDatabase, getDb, toStatement } from '../../src/platform/db/client.ts';
import { auditEvents, calls, caseEvents, cases, outbox, reporters, users } from '../../src/platform/db/schema.ts';
import { createCase } from '../../src/domains/reports/submit.ts';
import { generateReference } from '../../src/domains/reports/reference.ts';
import { newSecret } from '../../src/platform/security/ids.ts';
import { readCallForm, type CallDraft } from '../../src/domains/calls/form.ts';
import { logCall, type CallContext } from '../../src/domains/calls/log.ts';
import { lookUpCaller } from '../../src/domains/calls/lookup.ts';
import { exportCalls, listCalls } from '../../src/domains/calls/list.ts';
import { callCsvRow, OUTSIDE_SCOPE } from '../../src/domains/calls/csv.ts';
import { callFigures } from '../../src/domains/calls/figures.ts';
import { londonDate } from '../../src/platform/time/london.ts';
import { listQueue } from '../../src/domains/cases/queue.ts';

const config = loadSiteConfig('content');
let cleanup: () => Promise<void>;
const handler = { id: 'handler0000000000001', ip: '127.0.0.1' };
const other = { id: 'handler0000000000002', ip: '127.0.0.1' };
const ctx: CallContext = { config, handler, publicUrl: 'http://localhost:4321', scope: { kind: 'all' } };
const NOW = Date.now();

before(async () => {
  ({ cleanup } = await openTestDatabase());
  const row = (id: string, name: string, email: string) => toStatement(getDb().insert(users).values({ id, email, name, role: 'call_handler', createdAt: NOW, updatedAt: NOW }));
  await getDatabase().writer.batch([row(handler.id, 'Cara Calls', 'calls@example.test'), row(other.id, 'Hal Handler', 'hal@example.test')]);
});
after(() => cleanup());

const token = () => newSecret(16);

function read(fields: Record<string, string | string[]>, slugs: string[] = []): CallDraft {
  const f = new FormData();
  for (const [k, v] of Object.entries({ token: token(), startedAt: String(NOW - 120_000), duration: '', durationAuto: '', ...fields })) for (const x of Array.isArray(v) ? v : [v]) f.append(k, x);
  const r = readCallForm(f, config, slugs, NOW);
  assert.deepEqual(r.errors, []);
  return r.draft!;
}

const report = {
  reason: 'new-report',
  'outcome-new-report': 'case-created',
  danger: 'no',
  category: 'noise',
  description: 'Loud music every night from the flat above.',
  whenKind: 'ongoing',
  whenText: 'Every night after midnight',
  postcode: '',
  place: 'Mill Lane',
  ward: 'mill-lane',
  affected: 'me',
  before: 'yes',
};

test('a new-report call creates a phone case, logged by the handler, with the call in the same commit and the acknowledgement e-mail', async () => {
  const draft = read({ ...report, callerName: 'Sam Caller', callerPhone: '01234 567890', callerEmail: 'sam@example.com', privacy: 'named', preferredContact: 'email' });
  const logged = await logCall(draft, ctx);
  assert.ok(logged.ok && logged.created && logged.ref && logged.emailed);
  const [c] = await getDb().select().from(cases).where(eq(cases.id, logged.caseId!));
  assert.equal(c!.channel, 'phone');
  assert.equal(c!.createdBy, handler.id);
  assert.equal(c!.categoryId, 'noise');
  assert.equal(c!.wardId, 'mill-lane');
  assert.equal(c!.whoAffected, 'me');
  const [call] = await getDb().select().from(calls).where(eq(calls.id, logged.callId));
  assert.equal(call!.caseId, c!.id);
  assert.equal(call!.reason, 'new-report');
  assert.equal(call!.outcome, 'case-created');
  assert.equal(call!.durationS, 120);
  assert.equal(call!.callerPhoneE164, '+441234567890');
  const [rep] = await getDb().select().from(reporters).where(eq(reporters.id, c!.reporterId!));
  assert.equal(rep!.phoneE164, '+441234567890');
  const mail = await getDb().select().from(outbox).where(eq(outbox.recipient, 'sam@example.com'));
  assert.equal(mail.length, 1);
  assert.equal(mail[0]!.payload.ref, logged.ref);
  const events = await getDb().select().from(caseEvents).where(eq(caseEvents.caseId, c!.id));
  assert.deepEqual(events.map((e) => e.action).sort(), ['call.logged', 'case.created']);
  const audit = await getDb().select().from(auditEvents).where(eq(auditEvents.subjectId, logged.callId));
  assert.equal(audit[0]!.action, 'call.logged');
  const queue = await listQueue({ channel: 'phone' });
  assert.ok(queue.rows.some((r) => r.ref === logged.ref && r.channel === 'phone'));
});

test('saving the same screen twice logs one call and one case', async () => {
  const draft = read({ ...report, privacy: 'anonymous' });
  const [a, b] = await Promise.all([logCall(draft, ctx), logCall(draft, ctx)]);
  assert.ok(a.ok && b.ok);
  assert.equal(a.callId, b.callId);
  assert.equal(a.ref, b.ref);
  const rows = await getDb().select().from(calls).where(eq(calls.id, a.callId));
  assert.equal(rows.length, 1);
  const again = await logCall(draft, ctx);
  assert.ok(again.ok && again.existing && again.ref === a.ref);
});

test('an anonymous caller leaves no contact details on the case or the call, and gets a tracking code', async () => {
  const draft = read({ ...report, callerName: 'Not Kept', callerPhone: '07700 900111', privacy: 'anonymous' });
  const logged = await logCall(draft, ctx);
  assert.ok(logged.ok && logged.trackSecret);
  const [c] = await getDb().select().from(cases).where(eq(cases.id, logged.caseId!));
  assert.equal(c!.reporterId, null);
  assert.equal(c!.privacy, 'anonymous');
  const [call] = await getDb().select().from(calls).where(eq(calls.id, logged.callId));
  assert.equal(call!.callerName, null);
  assert.equal(call!.callerPhoneE164, null);
});

test('an urgent new report is tagged for triage', async () => {
  const logged = await logCall(read({ ...report, 'outcome-new-report': 'case-created-urgent', privacy: 'anonymous' }), ctx);
  assert.ok(logged.ok);
  const [c] = await getDb().select().from(cases).where(eq(cases.id, logged.caseId!));
  assert.deepEqual(c!.tags, ['urgent-call']);
});

test('more information on an existing case is added to its timeline and linked to the call', async () => {
  const existing = await createCase(
    { kind: 'report', channel: 'web', categoryId: 'noise', description: 'Shouting in the street at night.', wardId: 'mill-lane', privacy: 'named', reporter: { name: 'Web Person', email: 'web@example.com' } },
    { config, actor: { kind: 'public' }, publicUrl: 'http://localhost' },
  );
  const draft = read({ reason: 'case-info', 'outcome-case-info': 'information-added', caseRef: existing.ref.toLowerCase().replace(/-/g, ' '), information: 'It happened again last night at 2am.' });
  const logged = await logCall(draft, { ...ctx, handler: other });
  assert.ok(logged.ok);
  assert.equal(logged.caseId, existing.id);
  assert.equal(logged.created, false);
  const events = await getDb().select().from(caseEvents).where(eq(caseEvents.caseId, existing.id));
  const info = events.find((e) => e.action === 'call.information');
  assert.equal(info!.visibility, 'internal');
  assert.equal(info!.actorKind, 'user');
  assert.equal(info!.actorId, other.id);
  assert.equal(info!.body, 'It happened again last night at 2am.');
  const [call] = await getDb().select().from(calls).where(eq(calls.id, logged.callId));
  assert.equal(call!.caseId, existing.id);
});

test('a reference that does not exist is a field error, and nothing is logged', async () => {
  const f = new FormData();
  for (const [k, v] of Object.entries({ reason: 'case-info', 'outcome-case-info': 'progress-given', caseRef: generateReference('HM'), startedAt: String(NOW - 60_000) })) f.append(k, v);
  const r = readCallForm(f, config, [], NOW);
  assert.deepEqual(r.errors, []);
  const before = (await getDb().select().from(calls)).length;
  const logged = await logCall(r.draft!, ctx);
  assert.ok(!logged.ok);
  assert.equal(logged.errors[0]!.field, 'caseRef');
  assert.equal((await getDb().select().from(calls)).length, before);
});

test('an information request records the advice given and creates no case', async () => {
  const logged = await logCall(read({ reason: 'info-request', 'outcome-info-request': 'advice-given', advice: ['noise', 'fly-tipping'], question: 'What can I do about noise?', callerPhone: '01234 567890' }, ['noise', 'fly-tipping']), ctx);
  assert.ok(logged.ok);
  assert.equal(logged.caseId, null);
  const [call] = await getDb().select().from(calls).where(eq(calls.id, logged.callId));
  assert.deepEqual(call!.adviceSlugs, ['noise', 'fly-tipping']);
  assert.match(call!.notes!, /What can I do about noise/);
});

test('feedback and complaints become feedback cases on the phone channel', async () => {
  const logged = await logCall(read({ reason: 'feedback', 'outcome-feedback': 'feedback-logged', feedbackType: 'complaint', feedbackText: 'Nobody called me back last week.', callerName: 'Pat', callerEmail: 'pat@example.com' }), ctx);
  assert.ok(logged.ok && logged.created);
  const [c] = await getDb().select().from(cases).where(eq(cases.id, logged.caseId!));
  assert.equal(c!.kind, 'feedback');
  assert.equal(c!.feedbackType, 'complaint');
  assert.equal(c!.channel, 'phone');
  assert.equal((await getDb().select().from(outbox).where(eq(outbox.recipient, 'pat@example.com'))).length, 1);
});

test('signposted and silent calls are logged without a case', async () => {
  const a = await logCall(read({ reason: 'signposted', 'outcome-signposted': 'signposted-other', signpostService: 'Citizens Advice' }), ctx);
  const b = await logCall(read({ reason: 'signposted', 'outcome-signposted': 'signposted-999' }), ctx);
  const c = await logCall(read({ reason: 'silent', 'outcome-silent': 'silent', duration: '0:15' }), { ...ctx, handler: other });
  for (const x of [a, b, c]) assert.ok(x.ok && x.caseId === null);
  const [row] = await getDb().select().from(calls).where(eq(calls.id, a.ok ? a.callId : ''));
  assert.match(row!.notes!, /Citizens Advice/);
  const [silent] = await getDb().select().from(calls).where(eq(calls.id, c.ok ? c.callId : ''));
  assert.equal(silent!.durationS, 15);
});

test('a look-up by "01234 567890" finds the caller stored as +441234567890, with earlier cases and calls', async () => {
  const found = await lookUpCaller('01234 567890', 'HM');
  assert.ok(found.ok);
  assert.equal(found.kind, 'phone');
  assert.equal(found.value, '+441234567890');
  assert.equal('name' in found.caller, false, 'the look-up never reveals a name');
  assert.equal(found.cases.length, 1);
  assert.equal(found.cases[0]!.channel, 'phone');
  assert.equal(found.calls.length, 2); // the new report and the information request
  const byEmail = await lookUpCaller('SAM@example.com', 'HM');
  assert.ok(byEmail.ok && byEmail.cases.length === 1);
  const byRef = await lookUpCaller(found.cases[0]!.ref.replace(/-/g, ''), 'HM');
  assert.ok(byRef.ok && byRef.kind === 'reference' && byRef.caller.phoneE164 === null, 'a reference look-up reveals no phone number');
  assert.equal(byRef.calls.length, 1, 'without pii.view, only the calls on that case');
  const byRefPii = await lookUpCaller(found.cases[0]!.ref, 'HM', 20, { kind: 'all' }, true);
  assert.ok(byRefPii.ok && byRefPii.caller.phoneE164 === null);
  assert.equal(byRefPii.calls.length, 2, "with pii.view, the reporter's other calls too");
  const nobody = await lookUpCaller('07700 900999', 'HM');
  assert.ok(nobody.ok && nobody.cases.length === 0 && nobody.calls.length === 0);
  assert.equal((await lookUpCaller('hi', 'HM')).ok, false);
});

test('calls without a case appear in the call log and the figures', async () => {
  const today = londonDate(NOW);
  const none = await listCalls({ linked: 'none' });
  assert.ok(none.rows.length >= 4);
  assert.ok(none.rows.every((r) => r.caseId === null));
  const silent = await listCalls({ reason: 'silent', from: today, to: today });
  assert.equal(silent.total, 1);
  assert.equal(silent.rows[0]!.handlerName, 'Hal Handler');
  assert.equal((await listCalls({ handlerId: other.id })).total, 2);
  assert.equal((await listCalls({ from: '2020-01-01', to: '2020-01-02' })).total, 0);
  const all = await exportCalls({});
  const figures = await callFigures({ from: today, to: today });
  assert.equal(figures.total.calls, all.length);
  assert.equal(figures.total.withoutCase, all.filter((r) => r.caseId === null).length);
  assert.equal(figures.total.casesUpdated, 1);
  const hal = figures.byHandler.find((h) => h.handlerId === other.id)!;
  assert.equal(hal.calls, 2);
  assert.equal(hal.outcomes.silent, 1);
  assert.equal(hal.casesCreated, 0);
  assert.equal(hal.averageSeconds, Math.round((120 + 15) / 2));
  const cara = figures.byHandler.find((h) => h.handlerId === handler.id)!;
  assert.equal(cara.casesCreated, 5);
  assert.equal(figures.byDay.length, 1);
  assert.equal(figures.byDay[0]!.day, today);
  assert.equal(figures.byDay[0]!.calls, all.length);
});

test('a handler with a district team cannot add information to a case outside it: answered as an unknown reference, and nothing is logged', async () => {
  const existing = await createCase(
    { kind: 'report', channel: 'web', categoryId: 'noise', description: 'Music from the garages every night.', wardId: 'mill-lane', privacy: 'named', reporter: { name: 'Out Ofteam', email: 'out.of.team@example.com' } },
    { config, actor: { kind: 'public' }, publicUrl: 'http://localhost' },
  );
  const unknownRef = generateReference('HM');
  const fields = (caseRef: string) => ({ reason: 'case-info', 'outcome-case-info': 'information-added', caseRef, information: 'It happened again.' });
  const eastmere: CallContext = { ...ctx, handler: other, scope: { kind: 'district', districtIds: ['eastmere'] } };
  const callsBefore = (await getDb().select().from(calls)).length;
  const outside = await logCall(read(fields(existing.ref)), eastmere);
  const unknown = await logCall(read(fields(unknownRef)), eastmere);
  assert.ok(!outside.ok && !unknown.ok);
  assert.deepEqual(outside.errors, [{ field: 'caseRef', href: '#caseRef', text: `No case has the reference ${existing.ref}: check it with the caller` }]);
  assert.deepEqual(unknown.errors.map((e) => e.text.replace(unknownRef, 'REF')), outside.errors.map((e) => e.text.replace(existing.ref, 'REF')), 'the same words as an unknown reference');
  assert.equal((await getDb().select().from(calls)).length, callsBefore);
  const events = await getDb().select().from(caseEvents).where(eq(caseEvents.caseId, existing.id));
  assert.deepEqual(events.filter((e) => e.action === 'call.information'), []);
  const inTeam = await logCall(read(fields(existing.ref)), { ...eastmere, scope: { kind: 'district', districtIds: ['eastmere', 'brackenford'] } });
  assert.ok(inTeam.ok && inTeam.caseId === existing.id, 'a handler whose team has Brackenford adds it');
});

test('the call log and its CSV name a call\'s case only within the viewer\'s scope; another district\'s case is "a case outside your area"', async () => {
  const existing = await createCase(
    { kind: 'report', channel: 'web', categoryId: 'noise', description: 'Music from the flat below every night.', wardId: 'mill-lane', privacy: 'named', reporter: { name: 'Log Person', email: 'log@example.com' } },
    { config, actor: { kind: 'public' }, publicUrl: 'http://localhost' },
  );
  const logged = await logCall(read({ reason: 'case-info', 'outcome-case-info': 'information-added', caseRef: existing.ref, information: 'Again on Friday.' }), ctx);
  assert.ok(logged.ok);
  const rowOf = async (scope: Parameters<typeof listCalls>[0]['scope']) => (await listCalls({ linked: 'case', scope }, 1, 500)).rows.find((r) => r.id === logged.callId)!;
  assert.equal((await rowOf(undefined)).caseRef, existing.ref);
  assert.equal((await rowOf({ kind: 'district', districtIds: ['brackenford'] })).caseRef, existing.ref, 'Mill Lane is in Brackenford');
  const elsewhere = await rowOf({ kind: 'district', districtIds: ['eastmere'] });
  assert.equal(elsewhere.caseRef, null);
  assert.equal(elsewhere.caseId, existing.id);
  const csvRow = callCsvRow((await exportCalls({ linked: 'case', scope: { kind: 'district', districtIds: ['eastmere'] } })).find((r) => r.id === logged.callId)!);
  assert.ok(csvRow.includes(OUTSIDE_SCOPE) && !csvRow.includes(existing.ref));
});
