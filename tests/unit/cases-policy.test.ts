/**
 * The case policy on a real database: a district-bound officer sees and acts only on their district's cases
 * (queue, counts, CSV, actions, bulk, incidents, call look-up), a partner officer only on cases referred to their
 * agency, everyone else by role; "referred" and "with partner" come only from referrals; user admin validates the district.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { openTestDatabase } from '../helpers/db.ts';
import { caseEvents, users } from '../../src/platform/db/schema.ts';
import { getDb } from '../../src/platform/db/client.ts';
import { addNote, bulkAction, changeStatus, findCase, linkIncident, markDuplicate, viewReporterDetails, type StaffActor } from '../../src/domains/cases/actions.ts';
import { canActOnCase, canViewCase, caseScope, type CaseScope } from '../../src/domains/cases/policy.ts';
import { formStatuses } from '../../src/domains/cases/workflow.ts';
import { countByStatus, listQueue } from '../../src/domains/cases/queue.ts';
import { exportQueueCsv } from '../../src/domains/cases/views.ts';
import { lookUpCaller } from '../../src/domains/calls/lookup.ts';
import { generateReference } from '../../src/domains/reports/reference.ts';
import { checkRoleAndAgency, checkRoleAndDistrict, createUser, updateUserAccess, UserRuleError } from '../../src/domains/identity/users.ts';
import { insertCase, insertReporter, insertUser, settings, TRIAGE_PERMISSIONS } from './cases-fixtures.ts';

let cleanup: () => Promise<void>;
before(async () => ({ cleanup } = await openTestDatabase()));
after(() => cleanup());

/** A triage-like officer bound to the Brackenford district. */
async function districtOfficer(districtId: string | null = 'brackenford'): Promise<StaffActor> {
  return { ...(await insertUser({ role: 'district_officer', districtId })), bindsDistrict: true, districtId };
}

test('the pure policy: scope from the role binding, view needs case.read.all (or a partner referral), acting needs the permission too', () => {
  const triage = { permissions: TRIAGE_PERMISSIONS };
  const district = { permissions: TRIAGE_PERMISSIONS, bindsDistrict: true, districtId: 'brackenford' };
  const partner = { permissions: ['referral.partner' as const], bindsAgency: true, agencyId: 'police' };
  const here = { districtId: 'brackenford', referredAgencyId: null };
  const there = { districtId: 'eastmere', referredAgencyId: 'police' };
  assert.deepEqual(caseScope(triage), { kind: 'all' });
  assert.deepEqual(caseScope(district), { kind: 'district', districtIds: ['brackenford'] });
  assert.deepEqual(caseScope(partner), { kind: 'agency', agencyId: 'police', districtIds: [] });
  assert.deepEqual(caseScope({ ...district, districtId: null }), { kind: 'none' }, 'a bound user without a district sees nothing');
  assert.deepEqual(caseScope({ ...partner, agencyId: null }), { kind: 'none' });
  assert.equal(canViewCase(triage, there), true);
  assert.equal(canViewCase(district, here), true);
  assert.equal(canViewCase(district, there), false);
  assert.equal(canViewCase(partner, there), true);
  assert.equal(canViewCase(partner, { districtId: 'eastmere', referredAgencyId: 'fire' }), false);
  assert.equal(canViewCase({ permissions: ['call.log', 'case.lookup'] }, here), false, 'no case.read.all, no case page');
  assert.equal(canActOnCase(district, here, 'case.close'), true);
  assert.equal(canActOnCase(district, there, 'case.close'), false);
  assert.equal(canActOnCase({ ...district, permissions: ['case.read.all'] }, here, 'case.close'), false, 'in scope, but the role does not grant it');
});

test('a district officer sees only their district in the queue, the counts and the CSV; a triage officer sees both', async () => {
  const officer = await districtOfficer();
  const triage = await insertUser();
  const mine = await insertCase({ districtId: 'brackenford', wardId: 'mill-lane' });
  const other = await insertCase({ districtId: 'eastmere', wardId: 'saltings' });
  const refs = async (actor: StaffActor) => (await listQueue({ status: 'all', scope: caseScope(actor) })).rows.map((r) => r.ref);
  assert.ok((await refs(officer)).includes(mine.ref));
  assert.ok(!(await refs(officer)).includes(other.ref));
  assert.ok((await refs(triage)).includes(other.ref));
  const counts = await countByStatus({ scope: caseScope(officer) });
  const all = await countByStatus({});
  assert.equal(counts.new, (await listQueue({ status: 'new', scope: caseScope(officer) })).rows.length);
  assert.ok(all.new! > counts.new!, 'the other district is counted only without the scope');
  const csv = await exportQueueCsv({ status: 'all' }, 'received_desc', officer);
  assert.match(csv, new RegExp(mine.ref));
  assert.doesNotMatch(csv, new RegExp(other.ref), 'the CSV is scoped by the domain, whatever filter the page passes');
  assert.match(await exportQueueCsv({ status: 'all' }, 'received_desc', triage), new RegExp(other.ref));
});

test('a district officer cannot act on a case of another district: it answers as if it did not exist, and nothing is written', async () => {
  const officer = await districtOfficer();
  const reporterId = await insertReporter();
  const other = await insertCase({ districtId: 'eastmere', reporterId });
  const mine = await insertCase({ districtId: 'brackenford' });
  const r = await addNote(other.ref, officer, 'A note');
  assert.deepEqual(r, { ok: false, message: 'There is no case with that reference', ref: undefined });
  assert.equal((await changeStatus(other.ref, officer, { to: 'open' }, settings)).ok, false);
  assert.equal((await findCase(other.ref))!.status, 'new');
  assert.equal((await getDb().select().from(caseEvents).where(eq(caseEvents.caseId, other.id))).length, 0);
  assert.equal(await viewReporterDetails(other.ref, officer), null);
  const bulk = await bulkAction([mine.ref, other.ref], { ...officer, permissions: [...TRIAGE_PERMISSIONS] }, { kind: 'note', body: 'Checked' }, settings);
  assert.deepEqual(bulk.done, [mine.ref]);
  assert.deepEqual(bulk.refused, [{ ref: other.ref, message: 'There is no case with that reference' }]);
  const link = await linkIncident([mine.ref, other.ref], officer, { title: 'Both' });
  assert.equal(link.ok, false);
  assert.match((link as { message: string }).message, new RegExp(`no case with reference ${other.ref}`));
  const dup = await markDuplicate(mine.ref, officer, other.ref, settings);
  assert.deepEqual(dup, { ok: false, message: 'There is no case with the original reference', ref: mine.ref });
  assert.equal((await addNote(mine.ref, officer, 'Mine')).ok, true);
});

test('a district officer with no district on record sees and does nothing (fail closed)', async () => {
  const lost = await districtOfficer(null);
  const c = await insertCase({ districtId: 'brackenford' });
  assert.equal((await listQueue({ status: 'all', scope: caseScope(lost) })).rows.length, 0);
  assert.equal((await addNote(c.ref, lost, 'x')).ok, false);
});

test('a partner officer sees only cases referred to their own agency', async () => {
  const partner = { ...(await insertUser({ role: 'partner_officer', agencyId: 'police' }, ['referral.partner'])), bindsAgency: true, agencyId: 'police' };
  const police = await insertCase({ status: 'referred', referredAgencyId: 'police', districtId: 'eastmere' });
  const fire = await insertCase({ status: 'referred', referredAgencyId: 'fire', districtId: 'eastmere' });
  const refs = (await listQueue({ status: 'all', scope: caseScope(partner) })).rows.map((r) => r.ref);
  assert.ok(refs.includes(police.ref));
  assert.ok(!refs.includes(fire.ref));
  assert.equal(canViewCase(partner, (await findCase(police.ref))!), true);
  assert.equal(canViewCase(partner, (await findCase(fire.ref))!), false);
});

test('the status action refuses "Referred" and "With partner" for everyone, pointing to "Refer to a partner"; other moves go on', async () => {
  const officer = await insertUser();
  const c = await insertCase({ status: 'open' });
  for (const to of ['referred', 'with_partner']) {
    const refused = await changeStatus(c.ref, officer, { to, agencyId: 'police' }, settings);
    assert.equal(refused.ok, false, to);
    assert.match((refused as { message: string }).message, /only by referring it: use "Refer to a partner"/);
  }
  const bulk = await bulkAction([c.ref], officer, { kind: 'status', to: 'referred', agencyId: 'police' }, settings);
  assert.deepEqual(bulk.done, []);
  const row = (await findCase(c.ref))!;
  assert.equal(row.status, 'open');
  assert.equal(row.referredAgencyId, null);
  assert.deepEqual(formStatuses('open'), ['awaiting_reporter', 'resolved', 'closed']);
  assert.deepEqual(formStatuses('referred'), ['open', 'resolved']);
  assert.equal((await changeStatus(c.ref, officer, { to: 'resolved', resolutionCode: 'advice_given' }, settings)).ok, true);
});

test('the call look-up shows only cases in the scope; a reference outside it is not found', async () => {
  const reporterId = await insertReporter({ phoneE164: '+441632960777', email: 'scope@example.org' });
  const mine = await insertCase({ districtId: 'brackenford', reporterId });
  const other = await insertCase({ districtId: 'eastmere', reporterId, ref: generateReference('HM') });
  const scope: CaseScope = { kind: 'district', districtIds: ['brackenford'] };
  const found = await lookUpCaller('01632 960777', 'HM', 20, scope);
  assert.ok(found.ok);
  assert.deepEqual(found.cases.map((c) => c.ref), [mine.ref]);
  const everyone = await lookUpCaller('01632 960777', 'HM');
  assert.ok(everyone.ok && everyone.cases.some((c) => c.ref === other.ref));
  const byRef = await lookUpCaller(other.ref, 'HM', 20, scope);
  assert.equal(byRef.ok, false);
});

test('user administration: an agency is required for partner roles, refused for others (not dropped without a word)', async () => {
  await assert.rejects(checkRoleAndAgency('partner_officer', ''), (e: UserRuleError) => e.field === 'agencyId' && /Select the agency/.test(e.message));
  await assert.rejects(checkRoleAndAgency('triage_officer', 'police'), (e: UserRuleError) => e.field === 'agencyId' && /^A triage officer does not work for a partner agency: select “Not a partner officer”/.test(e.message));
  await assert.rejects(checkRoleAndAgency('administrator', 'police'), (e: UserRuleError) => e.field === 'agencyId' && /^An administrator does not work for a partner agency/.test(e.message));
  await assert.rejects(checkRoleAndDistrict('editor', 'brackenford'), (e: UserRuleError) => e.field === 'districtId' && /^An editor works across the partnership/.test(e.message));
  assert.equal(await checkRoleAndAgency('triage_officer', ''), null);
  assert.equal(await checkRoleAndAgency('partner_officer', 'police'), 'police');
});

test('user administration: a district is required for district-bound roles, refused for others, and must be a district', async () => {
  await assert.rejects(checkRoleAndDistrict('district_officer', null), (e: UserRuleError) => e.field === 'districtId' && /Select the district/.test(e.message));
  await assert.rejects(checkRoleAndDistrict('triage_officer', 'brackenford'), (e: UserRuleError) => e.field === 'districtId' && /works across the partnership, not in one district/.test(e.message));
  await assert.rejects(checkRoleAndDistrict('district_officer', 'mill-lane'), (e: UserRuleError) => e.field === 'districtId' && /from the list/.test(e.message), 'a ward is not a district');
  assert.equal(await checkRoleAndDistrict('district_officer', 'eastmere'), 'eastmere');
  assert.equal(await checkRoleAndDistrict('triage_officer', ''), null);
  const actor = { kind: 'system' as const };
  const u = await createUser({ email: 'dist@example.org', name: 'Dee District', role: 'district_officer', districtId: 'thornwick', passwordHash: 'x' }, actor);
  assert.equal(u.districtId, 'thornwick');
  await updateUserAccess(u.id, { name: 'Dee District', role: 'triage_officer', districtId: '' }, actor);
  const [row] = await getDb().select().from(users).where(eq(users.id, u.id));
  assert.equal(row!.districtId, null, 'moving to a role without a district clears it');
});
