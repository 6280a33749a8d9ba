/**
 * The referral export on the built server: the partner officer of the agency and the triage officer download a
 * referral as JSON and CSV whose fields are exactly those documented in README.md (read from the same tables the
 * reader sees), holding only the frozen snapshot; each download is audited; a partner officer gets 404 for another
 * agency's referral or a guessed id. Also the case page's status form refusing "Referred" (valid HTML, 400).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { createClient, type Client } from '@libsql/client';
import { startServer, type TestServer } from '../helpers/server.ts';
import { Visitor } from '../helpers/http.ts';
import { createWebReport } from '../helpers/staff.ts';
import { htmlProblems } from '../helpers/html.ts';
import { signInAs } from './staff-sign-in.ts';

let server: TestServer;
let db: Client;
let triage: Visitor;
let partner: Visitor;
let policeRef: string;
let policeId: string;
let fireId: string;

/** The field names of a documented table in README.md, between <!-- name --> and <!-- /name -->. */
function documentedFields(name: string): string[] {
  const readme = readFileSync('README.md', 'utf8');
  const start = readme.indexOf(`<!-- ${name} -->`);
  const end = readme.indexOf(`<!-- /${name} -->`);
  assert.ok(start >= 0 && end > start, `README.md documents ${name}`);
  return [...readme.slice(start, end).matchAll(/^\s*\| `([a-z_]+)` \|/gm)].map((m) => m[1]!);
}

/** The referral id of a case on the refer page (the export links name it). */
async function referralIdOn(ref: string): Promise<string[]> {
  const html = await (await triage.get(`/staff/cases/${ref}/refer`)).text();
  return [...html.matchAll(/\/staff\/referrals\/([0-9A-Za-z_-]+)\/export\.json/g)].map((m) => m[1]!);
}

before(async () => {
  server = await startServer();
  db = createClient({ url: server.dbUrl, timeout: 15_000 });
  policeRef = await createWebReport(server.url, { email: 'pat.export@example.org', name: 'Pat Exporter', description: '=SUM(A1) scrawled on the wall, words for the police.' });
  const fireRef = await createWebReport(server.url, { email: 'fire.export@example.org' });
  triage = await signInAs(server.url, 'triage@hollowmere.example');
  partner = await signInAs(server.url, 'partner@hollowmere.example');
  const sent = await triage.post(`/staff/cases/${policeRef}/refer`, new URLSearchParams([['agencyId', 'police'], ['fields', 'description'], ['fields', 'contact']]));
  assert.equal(sent.status, 303);
  assert.equal((await triage.post(`/staff/cases/${fireRef}/refer`, { agencyId: 'fire', fields: 'location' })).status, 303);
  [policeId] = await referralIdOn(policeRef);
  [fireId] = await referralIdOn(fireRef);
  assert.ok(policeId && fireId);
});
after(async () => {
  db?.close();
  await server?.stop();
});

/** How many referral.exported audit rows name the referral. */
async function exportAudits(referralId: string): Promise<{ actor: string; format: string }[]> {
  const rows = await db.execute({ sql: "SELECT actor_id, json_extract(data, '$.format') AS format FROM audit_events WHERE action = 'referral.exported' AND json_extract(data, '$.referralId') = ?", args: [referralId] });
  return rows.rows.map((r) => ({ actor: String(r.actor_id), format: String(r.format) }));
}

test('the partner officer downloads JSON and CSV with exactly the documented fields, only the snapshot, each download audited', async () => {
  const jsonRes = await partner.get(`/staff/referrals/${policeId}/export.json`);
  assert.equal(jsonRes.status, 200);
  assert.match(jsonRes.headers.get('content-type') ?? '', /application\/json/);
  assert.match(jsonRes.headers.get('content-disposition') ?? '', new RegExp(`attachment; filename="referral-${policeRef}-police\\.json"`));
  const json = (await jsonRes.json()) as Record<string, unknown> & { items: Record<string, string>[]; fields: string[] };
  assert.deepEqual(Object.keys(json), documentedFields('referral-export-json'));
  assert.equal(json.case_reference, policeRef);
  assert.equal(json.agency_name, 'Hollowmere Constabulary');
  assert.match(String(json.legal_basis), /Crime and Disorder Act 1998/);
  assert.ok(!Number.isNaN(Date.parse(String(json.shared_at))));
  assert.deepEqual(json.fields, ['description', 'contact']);
  const csvColumns = documentedFields('referral-export-csv');
  for (const item of json.items) assert.deepEqual(Object.keys(item), csvColumns.slice(-3), 'each item has the CSV line fields');
  assert.ok(json.items.some((i) => i.value === 'pat.export@example.org'), 'contact details went with consent');
  assert.ok(json.items.some((i) => i.value.includes('words for the police')));
  assert.doesNotMatch(JSON.stringify(json), /Mill Lane|HW3/, 'the unshared location is not in the export');

  const csvRes = await partner.get(`/staff/referrals/${policeId}/export.csv`);
  assert.equal(csvRes.status, 200);
  assert.match(csvRes.headers.get('content-type') ?? '', /text\/csv/);
  const rows = parse(await csvRes.text(), { columns: false }) as string[][];
  assert.deepEqual(rows[0], csvColumns);
  assert.equal(rows.length - 1, json.items.length, 'one row per shared line');
  for (const [i, row] of rows.slice(1).entries()) {
    const record = Object.fromEntries(csvColumns.map((c, k) => [c, row[k]]));
    assert.equal(record.case_reference, policeRef);
    assert.equal(record.field, json.items[i]!.field);
    assert.equal(record.label, json.items[i]!.label);
  }
  assert.ok(rows.some((r) => r.at(-1)!.startsWith("'=SUM(A1)")), 'a formula-like value is neutralised for spreadsheets');

  const triageCsv = await triage.get(`/staff/referrals/${policeId}/export.csv`);
  assert.equal(triageCsv.status, 200, 'triage may download too');
  await triageCsv.arrayBuffer();
  const audits = await exportAudits(policeId);
  assert.deepEqual(audits.map((a) => a.format).sort(), ['csv', 'csv', 'json']);
  assert.equal(new Set(audits.map((a) => a.actor)).size, 2, 'the partner officer and the triage officer');
});

test('a partner officer gets 404 for another agency\'s referral export and for guessed ids; nothing is audited', async () => {
  // A guess one character away from a real id (never the id itself, whatever its last character).
  const nearby = `${policeId.slice(0, -1)}${policeId.endsWith('x') ? 'y' : 'x'}`;
  for (const id of [fireId, '00000000000000000000', nearby, 'x'.repeat(60)]) {
    for (const format of ['json', 'csv']) {
      const res = await partner.get(`/staff/referrals/${id}/export.${format}`);
      assert.equal(res.status, 404, `${id}.${format}`);
      assert.doesNotMatch(await res.text(), /Fire|Hollowmere|HM-/);
    }
  }
  assert.deepEqual(await exportAudits(fireId), []);
  const visitor = await new Visitor(server.url).get(`/staff/referrals/${policeId}/export.json`);
  assert.equal(visitor.status, 401);
  await visitor.arrayBuffer();
});

test('the case page\'s status form no longer offers "Referred", and refuses it with a pointer to "Refer to a partner" (400, valid HTML)', async () => {
  const ref = await createWebReport(server.url, { email: 'status.form@example.org' });
  const page = await (await triage.get(`/staff/cases/${ref}`)).text();
  const version = /name="version" value="(\d+)"/.exec(page)?.[1] ?? '0';
  const options = /<select[^>]*name="to"[\s\S]*?<\/select>/.exec(page)?.[0] ?? '';
  assert.match(options, /value="open"/);
  assert.doesNotMatch(options, /value="referred"|value="with_partner"/);
  const refused = await triage.post(`/staff/cases/${ref}`, { intent: 'status', version, to: 'referred', resolutionCode: '', statusNote: '' });
  assert.equal(refused.status, 400);
  const html = await refused.text();
  assert.match(html, /only by referring it: use &quot;Refer to a partner&quot;/);
  assert.deepEqual(await htmlProblems(html, 'case page (status refused)'), []);
  const status = await db.execute({ sql: 'SELECT status FROM cases WHERE ref = ?', args: [ref] });
  assert.equal(status.rows[0]!.status, 'new');
});

test('the queue\'s "Referral overdue" filter: the box stays ticked, a referral not yet due is not listed, valid HTML', async () => {
  const res = await triage.get('/staff/queue?referral=overdue&status=all');
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<input[^>]*id="referral"[^>]*checked/);
  assert.doesNotMatch(html, new RegExp(policeRef), 'the police referral was sent just now: not overdue');
  assert.match(await (await triage.get('/staff/queue?status=all')).text(), new RegExp(policeRef));
  assert.deepEqual(await htmlProblems(html, 'queue (referral overdue)'), []);
});
