/**
 * The rest of referrals (issue 12) over HTTP on the built server: partner updates for the reporter released (edited
 * or withheld) by triage, for named, confidential and anonymous reporters; documents attached to updates (type sniffed,
 * agency-only, audited downloads); report photos only under a sharing agreement that lists photos; and district teams
 * (queue, case pages, partner console, round-robin). Extra accounts are copies of the demo accounts made in the database
 * (same password and demo TOTP key); district teams are set through the administrator's user page.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createClient, type Client } from '@libsql/client';
import sharp from 'sharp';
import { startServer, type TestServer } from '../helpers/server.ts';
import { startSmtp, sentTo, type TestSmtp } from '../helpers/smtp.ts';
import { Visitor } from '../helpers/http.ts';
import { createWebReport } from '../helpers/staff.ts';
import { htmlProblems } from '../helpers/html.ts';
import { signInAs } from './staff-sign-in.ts';

let server: TestServer;
let smtp: TestSmtp;
let db: Client;
let triage: Visitor;
let partner: Visitor;
let admin: Visitor;
let photoRef: string;
let png: Buffer;

before(async () => {
  smtp = await startSmtp();
  server = await startServer({ SMTP_URL: smtp.url });
  db = createClient({ url: server.dbUrl, timeout: 15_000 });
  png = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 30, b: 30 } } }).png().toBuffer();
  photoRef = await createWebReport(server.url, { email: 'photo.reporter@example.org', description: 'Broken glass at the shelter, photo attached.', photos: [png], postcode: 'HW1 1AB' });
  triage = await signInAs(server.url, 'triage@hollowmere.example');
  partner = await signInAs(server.url, 'partner@hollowmere.example');
  admin = await signInAs(server.url, 'admin@hollowmere.example');
});
after(async () => {
  db?.close();
  await server?.stop();
  await smtp?.close();
});

/** Copy a demo account (same password and TOTP key) under a new e-mail, name and agency; returns its id. */
async function copyAccount(from: string, email: string, name: string, agencyId: string | null): Promise<string> {
  const id = `t${Math.random().toString(36).slice(2, 12).padEnd(10, '0')}${Date.now().toString(36)}`.slice(0, 20);
  await db.execute({
    sql: `INSERT INTO users (id, email, name, role, agency_id, district_id, password_hash, active, totp_key, totp_enabled_at, recovery_codes, in_rotation, created_at, updated_at)
          SELECT ?, ?, ?, role, ?, district_id, password_hash, active, totp_key, totp_enabled_at, recovery_codes, in_rotation, created_at, updated_at FROM users WHERE email = ?`,
    args: [id, email, name, agencyId, from],
  });
  return id;
}

/** Set a user's district team on the administrator's user page. */
async function setTeam(id: string, name: string, role: string, agencyId: string, districts: string[]): Promise<void> {
  const body = new URLSearchParams([['action', 'access'], ['name', name], ['role', role], ['agencyId', agencyId], ['districtId', ''], ...districts.map((d) => ['teamDistricts', d])]);
  const res = await admin.post(`/staff/admin/users/${id}`, body);
  assert.equal(res.status, 303, `team of ${name}: ${res.status} ${res.status === 400 ? await res.text() : ''}`);
}

/** Refer a case to an agency (sharing the given fields) and return the referral id from the triage refer page. */
async function refer(ref: string, agencyId: string, fields: string[]): Promise<string> {
  const res = await triage.post(`/staff/cases/${ref}/refer`, new URLSearchParams([['agencyId', agencyId], ...fields.map((f) => ['fields', f])]));
  assert.equal(res.status, 303, `refer ${ref} to ${agencyId}`);
  const ids = await db.execute({ sql: 'SELECT r.id FROM referrals r JOIN cases c ON c.id = r.case_id WHERE c.ref = ? AND r.agency_id = ? ORDER BY r.id DESC', args: [ref, agencyId] });
  return String(ids.rows[0]!.id);
}

/** The partner acknowledges and accepts a referral. */
async function accept(who: Visitor, id: string): Promise<void> {
  for (const action of ['acknowledge', 'accept']) assert.equal((await who.post(`/staff/referrals/${id}`, { action })).status, 303, action);
}

/** A partner update (multipart, as the page sends it), optionally for the reporter and with a document. */
function updateForm(text: string, options: { forReporter?: boolean; document?: { name: string; type: string; data: Uint8Array } } = {}): FormData {
  const form = new FormData();
  form.set('action', 'update');
  form.set('text', text);
  if (options.forReporter) form.set('forReporter', 'yes');
  if (options.document) form.set('document', new Blob([new Uint8Array(options.document.data)], { type: options.document.type }), options.document.name);
  else form.set('document', new Blob([]), '');
  return form;
}

/** The pending update ids linked from the triage case page. */
async function pendingIds(ref: string): Promise<string[]> {
  const html = await (await triage.get(`/staff/cases/${ref}`)).text();
  return [...html.matchAll(new RegExp(`/staff/cases/${ref}/updates/([0-9a-z]+)`, 'g'))].map((m) => m[1]!);
}

/** What the reporter sees on /track/case, signed in with the e-mail address or the tracking code. */
async function trackPage(ref: string, proof: { email?: string; code?: string }): Promise<string> {
  const reporter = new Visitor(server.url);
  const res = await reporter.post('/track', { ref, email: proof.email ?? '', code: proof.code ?? '' });
  assert.equal(res.status, 303, `track ${ref}`);
  return (await reporter.get('/track/case')).text();
}

test('a partner update for the reporter waits for triage; only the released words reach /track (named, confidential, anonymous) and the reply e-mail; the partner cannot release', async () => {
  for (const privacy of ['named', 'confidential', 'anonymous'] as const) {
    let code = '';
    const email = privacy === 'anonymous' ? '' : `${privacy}.release@example.org`;
    const ref = await createWebReport(server.url, { email, privacy, description: `A ${privacy} report for release.`, onConfirmation: (html) => (code = /<dt>Tracking code<\/dt><dd><strong>([^<]+)</.exec(html)?.[1] ?? '') });
    const proof = privacy === 'anonymous' ? { code } : { email };
    const id = await refer(ref, 'police', ['description']);
    await accept(partner, id);
    assert.equal((await partner.post(`/staff/referrals/${id}`, updateForm(`Officers visited (${privacy}); the neighbour at number 4 was warned.`, { forReporter: true }))).status, 303);
    assert.equal((await partner.post(`/staff/referrals/${id}`, updateForm(`Internal only (${privacy}): intelligence logged.`))).status, 303);
    const [pending, ...more] = await pendingIds(ref);
    assert.ok(pending, 'the update for the reporter is pending release on the case page');
    assert.equal(more.length, 0, 'the internal update is not offered for release');
    assert.doesNotMatch(await trackPage(ref, proof), /Officers visited|Internal only/, 'nothing unreleased on /track');

    for (const res of [await partner.get(`/staff/cases/${ref}/updates/${pending}`), await partner.post(`/staff/cases/${ref}/updates/${pending}`, { decision: 'release', releaseText: 'Partner released it' })]) {
      assert.equal(res.status, 403, 'a partner officer cannot release');
      await res.arrayBuffer();
    }
    const page = await triage.get(`/staff/cases/${ref}/updates/${pending}`);
    assert.equal(page.status, 200);
    const pageHtml = await page.text();
    assert.match(pageHtml, /the neighbour at number 4 was warned/);
    const empty = await triage.post(`/staff/cases/${ref}/updates/${pending}`, { decision: 'release', releaseText: '  ' });
    assert.equal(empty.status, 400);
    const emptyHtml = await empty.text();
    assert.match(emptyHtml, /Enter the update the reporter will read/);
    if (privacy === 'named') {
      const caseHtml = await (await triage.get(`/staff/cases/${ref}`)).text();
      const partnerHtml = await (await partner.get(`/staff/referrals/${id}`)).text();
      const problems = [];
      for (const [label, html] of [['release page', pageHtml], ['release page (empty)', emptyHtml], ['case page (pending update)', caseHtml], ['partner referral page', partnerHtml]]) problems.push(...(await htmlProblems(html!, label!)));
      assert.deepEqual(problems, []);
    }
    const released = await triage.post(`/staff/cases/${ref}/updates/${pending}`, { decision: 'release', releaseText: `Officers visited (${privacy}) and spoke to the people involved.` });
    assert.equal(released.status, 303);
    const track = await trackPage(ref, proof);
    assert.match(track, new RegExp(`Officers visited \\(${privacy}\\) and spoke to the people involved`), 'the edited, released words are on /track');
    assert.doesNotMatch(track, /number 4|Internal only/, 'the partner\'s own words and internal updates are not');
    if (email) {
      const mail = await smtp.waitFor((m) => sentTo(m, email) && /spoke to the people involved/.test(m.text ?? ''));
      assert.ok(mail, 'the reply e-mail went through the outbox');
    }
    // Sent again (a second click, or another officer's open page): released once only, and the page says so.
    const again = await triage.post(`/staff/cases/${ref}/updates/${pending}`, { decision: 'release', releaseText: 'Twice' });
    assert.equal(again.status, 409, 'released once only');
    const againHtml = await again.text();
    assert.match(againHtml, /error-summary[\s\S]*This update has already been released or withheld: it was released. Nothing was changed/);
    assert.match(againHtml, /<h1 class="heading-l">This update has already been released<\/h1>/);
    assert.doesNotMatch(await trackPage(ref, proof), /Twice/);
    const later = await triage.get(`/staff/cases/${ref}/updates/${pending}`);
    assert.equal(later.status, 200);
    const laterHtml = await later.text();
    assert.match(laterHtml, /This update has already been released/);
    if (privacy === 'named') assert.deepEqual([...(await htmlProblems(againHtml, 'release again')), ...(await htmlProblems(laterHtml, 'release page, decided'))], []);
    assert.equal((await triage.get(`/staff/cases/${ref}/updates/no-such-update`)).status, 404, 'an update that is not there is still not found');
    const timeline = await (await triage.get(`/staff/cases/${ref}`)).text();
    assert.match(timeline, /Hollowmere Constabulary: update added for the reporter \(released\)/, 'the timeline says how it was decided');
    assert.doesNotMatch(timeline, /pending release/);
    assert.deepEqual(await pendingIds(ref), []);
  }
});

test('withholding an update asks to confirm first; once confirmed it is audited and never reaches /track', async () => {
  const ref = await createWebReport(server.url, { email: 'withheld@example.org' });
  const id = await refer(ref, 'police', ['description']);
  await accept(partner, id);
  assert.equal((await partner.post(`/staff/referrals/${id}`, updateForm('Suspect named as J. Doe of Mill Lane.', { forReporter: true }))).status, 303);
  const [pending] = await pendingIds(ref);
  const path = `/staff/cases/${ref}/updates/${pending!}`;
  const withheldRows = async () => (await db.execute({ sql: "SELECT a.data FROM audit_events a JOIN cases c ON c.id = a.subject_id WHERE a.action = 'referral.update.withheld' AND c.ref = ?", args: [ref] })).rows;
  const ask = await triage.post(path, { decision: 'withhold', releaseText: 'Suspect named as J. Doe of Mill Lane.' });
  assert.equal(ask.status, 200, 'the first press only asks');
  const askHtml = await ask.text();
  assert.match(askHtml, /Are you sure you want to withhold this update\?/);
  assert.match(askHtml, /name="decision" value="confirm-withhold"/);
  assert.deepEqual(await htmlProblems(askHtml, 'withhold confirmation'), []);
  assert.deepEqual(await pendingIds(ref), [pending], 'still pending: nothing was withheld');
  assert.equal((await withheldRows()).length, 0);
  const odd = await triage.post(path, { decision: 'something-else' });
  assert.equal(odd.status, 400, 'an unknown decision is refused, not taken as a release');
  await odd.arrayBuffer();
  assert.deepEqual(await pendingIds(ref), [pending]);

  const confirmed = await triage.post(path, { decision: 'confirm-withhold' });
  assert.equal(confirmed.status, 303);
  await confirmed.arrayBuffer();
  assert.deepEqual(await pendingIds(ref), []);
  const audit = await withheldRows();
  assert.equal(audit.length, 1, 'the withholding is audited');
  assert.equal(JSON.parse(String(audit[0]!.data)).updateId, pending);
  assert.match(await (await admin.get('/staff/admin/audit')).text(), /Partner update withheld from the reporter/);
  assert.doesNotMatch(await trackPage(ref, { email: 'withheld@example.org' }), /J\. Doe/);
  const caseHtml = await (await triage.get(`/staff/cases/${ref}`)).text();
  assert.match(caseHtml, /Partner update withheld from the reporter/);
  assert.match(caseHtml, /update added for the reporter \(withheld\)/);
  // The partner's history says it in words, as the rest of its history.
  const history = await (await partner.get(`/staff/referrals/${id}`)).text();
  assert.match(history, /Your update for the reporter was not passed on to them/);
  assert.doesNotMatch(history, /referral\.update\.withheld/);
});

test('a document on an update: agency officers and triage download it (attachment, no-store, audited); another agency and a call handler get 404; an EXE renamed .pdf is refused and nothing is stored', async () => {
  const id = await refer(photoRef, 'police', ['description', 'photos']);
  await accept(partner, id);
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
  const sent = await partner.post(`/staff/referrals/${id}`, updateForm('Visit notes attached.', { document: { name: 'visit notes.pdf', type: 'application/pdf', data: pdf } }));
  assert.equal(sent.status, 303);
  const partnerPage = await (await partner.get(`/staff/referrals/${id}`)).text();
  const docId = /href="\/staff\/documents\/([0-9a-z]+)">visit notes\.pdf</.exec(partnerPage)?.[1];
  assert.ok(docId, 'the document is listed on the partner\'s referral page');
  assert.match(await (await triage.get(`/staff/cases/${photoRef}`)).text(), new RegExp(`/staff/documents/${docId}`), 'and on the case page');
  for (const who of [partner, triage]) {
    const res = await who.get(`/staff/documents/${docId}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="visit notes\.pdf"/);
    assert.match(res.headers.get('cache-control') ?? '', /no-store/);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), pdf);
  }
  const audited = await db.execute({ sql: "SELECT count(*) AS n FROM audit_events WHERE action = 'referral.document.download' AND data LIKE ?", args: [`%${docId}%`] });
  assert.equal(Number(audited.rows[0]!.n), 2, 'every download is audited');

  await copyAccount('partner@hollowmere.example', 'fire.officer@example.org', 'Fay Fireofficer', 'fire');
  const fire = await signInAs(server.url, 'fire.officer@example.org');
  const calls = await signInAs(server.url, 'calls@hollowmere.example');
  for (const [who, label] of [[fire, 'another agency'], [calls, 'call handler']] as const) {
    const res = await who.get(`/staff/documents/${docId}`);
    assert.equal(res.status, 404, label);
    await res.arrayBuffer();
  }

  const count = async (sql: string) => Number((await db.execute(sql)).rows[0]!.n);
  const before = { docs: await count('SELECT count(*) AS n FROM referral_documents'), updates: await count("SELECT count(*) AS n FROM case_events WHERE action = 'referral.update'") };
  const filesBefore = readdirSync(join(server.dir, 'uploads', 'documents')).length;
  const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00', 'latin1'), Buffer.alloc(200, 0), Buffer.from('This program cannot be run in DOS mode.')]);
  const refused = await partner.post(`/staff/referrals/${id}`, updateForm('Report attached.', { document: { name: 'report.pdf', type: 'application/pdf', data: exe } }));
  assert.equal(refused.status, 400);
  const html = await refused.text();
  assert.match(html, /report\.pdf must be a PDF, an image \(JPEG, PNG or WebP\) or a plain text file/);
  assert.match(html, /href="#document"/, 'the error summary links to the file input');
  assert.deepEqual({ docs: await count('SELECT count(*) AS n FROM referral_documents'), updates: await count("SELECT count(*) AS n FROM case_events WHERE action = 'referral.update'") }, before, 'nothing stored');
  assert.equal(readdirSync(join(server.dir, 'uploads', 'documents')).length, filesBefore, 'no file left behind');
  assert.deepEqual(await htmlProblems(html, 'referral page (refused document)'), []);

  // A document just over 10 MB (under the route's 11 MB): the page's own field error, and the typed update is kept.
  const big = Buffer.concat([pdf, Buffer.alloc(Math.round(10.2 * 1024 * 1024), 0x20)]);
  const tooBig = await partner.post(`/staff/referrals/${id}`, updateForm('Site visit on Tuesday: notes in the scan.', { document: { name: 'scan.pdf', type: 'application/pdf', data: big } }));
  assert.equal(tooBig.status, 400);
  const bigHtml = await tooBig.text();
  assert.match(bigHtml, /scan\.pdf must be smaller than 10MB/);
  assert.match(bigHtml, /href="#document"/, 'the error summary links to the file input');
  assert.match(bigHtml, /<textarea[^>]*name="text"[^>]*>Site visit on Tuesday: notes in the scan\.<\/textarea>/, 'the typed update is still in the textarea');
  assert.deepEqual({ docs: await count('SELECT count(*) AS n FROM referral_documents'), updates: await count("SELECT count(*) AS n FROM case_events WHERE action = 'referral.update'") }, before, 'nothing stored');
});

test('report photos reach a partner only under an agreement that lists photos: not in the snapshot and not by any guessed photo URL otherwise', async () => {
  const caseHtml = await (await triage.get(`/staff/cases/${photoRef}`)).text();
  const photoId = /\/staff\/photos\/([0-9a-z]{20})/.exec(caseHtml)?.[1];
  assert.ok(photoId, 'the case has a photo');
  const policeId = String((await db.execute({ sql: "SELECT r.id FROM referrals r JOIN cases c ON c.id = r.case_id WHERE c.ref = ? AND r.agency_id = 'police'", args: [photoRef] })).rows[0]!.id);
  const policePage = await (await partner.get(`/staff/referrals/${policeId}`)).text();
  assert.match(policePage, new RegExp(`/staff/referrals/${policeId}/photos/${photoId}`), 'the police agreement lists photos');
  const shown = await partner.get(`/staff/referrals/${policeId}/photos/${photoId}`);
  assert.equal(shown.status, 200);
  assert.equal(shown.headers.get('content-type'), 'image/png');
  assert.match(shown.headers.get('cache-control') ?? '', /no-store/);
  await shown.arrayBuffer();

  const housingId = await refer(photoRef, 'housing', ['description', 'photos']);
  await copyAccount('partner@hollowmere.example', 'housing.officer@example.org', 'Hana Housingofficer', 'housing');
  const housing = await signInAs(server.url, 'housing.officer@example.org');
  const housingPage = await housing.get(`/staff/referrals/${housingId}`);
  assert.equal(housingPage.status, 200);
  assert.doesNotMatch(await housingPage.text(), new RegExp(photoId), 'no photo in the housing snapshot');
  for (const path of [`/staff/referrals/${housingId}/photos/${photoId}`, `/staff/photos/${photoId}`, `/staff/referrals/${policeId}/photos/${photoId}`]) {
    const res = await housing.get(path);
    assert.ok([403, 404].includes(res.status), `${path}: ${res.status}`);
    assert.doesNotMatch(res.headers.get('content-type') ?? '', /^image\//);
    await res.arrayBuffer();
  }
  const staffRoute = await partner.get(`/staff/photos/${photoId}`);
  assert.equal(staffRoute.status, 403, 'the staff photo route is not a partner route');
  await staffRoute.arrayBuffer();
});

test('district teams: an officer bound to two districts sees both and not the third (queue, case page, partner console); round-robin stays within the district team', async () => {
  const refs: Record<string, string> = {};
  for (const [district, postcode] of [['brackenford', 'HW1 2AB'], ['eastmere', 'HW2 1AB'], ['thornwick', 'HW3 2AB']] as const) {
    refs[district] = await createWebReport(server.url, { email: `${district}.team@example.org`, postcode, description: `District team case in ${district}.` });
  }
  const danaId = await copyAccount('triage@hollowmere.example', 'dana.team@example.org', 'Dana Twodistricts', null);
  const beaId = await copyAccount('triage@hollowmere.example', 'bea.team@example.org', 'Bea Eastmere', null);
  const patId = await copyAccount('partner@hollowmere.example', 'pat.team@example.org', 'Pat Twodistricts', 'police');
  await setTeam(danaId, 'Dana Twodistricts', 'triage_officer', '', ['brackenford', 'eastmere']);
  await setTeam(beaId, 'Bea Eastmere', 'triage_officer', '', ['eastmere']);
  await setTeam(patId, 'Pat Twodistricts', 'partner_officer', 'police', ['brackenford', 'eastmere']);
  const userPage = await (await admin.get(`/staff/admin/users/${danaId}`)).text();
  assert.match(userPage, /name="teamDistricts" type="checkbox" value="brackenford" checked/);
  assert.deepEqual(await htmlProblems(userPage, 'user page with a district team'), []);

  const dana = await signInAs(server.url, 'dana.team@example.org');
  const queue = await (await dana.get('/staff/queue?status=all')).text();
  assert.match(queue, new RegExp(refs.brackenford!));
  assert.match(queue, new RegExp(refs.eastmere!));
  assert.doesNotMatch(queue, new RegExp(refs.thornwick!));
  assert.equal((await dana.get(`/staff/cases/${refs.eastmere}`)).status, 200);
  const outside = await dana.get(`/staff/cases/${refs.thornwick}`);
  assert.equal(outside.status, 404);
  await outside.arrayBuffer();

  const referralIds: Record<string, string> = {};
  for (const district of ['brackenford', 'eastmere', 'thornwick']) referralIds[district] = await refer(refs[district]!, 'police', ['description']);
  const pat = await signInAs(server.url, 'pat.team@example.org');
  const list = await (await pat.get('/staff/referrals?status=all')).text();
  assert.match(list, new RegExp(refs.brackenford!));
  assert.match(list, new RegExp(refs.eastmere!));
  assert.doesNotMatch(list, new RegExp(refs.thornwick!));
  assert.equal((await pat.get(`/staff/referrals/${referralIds.brackenford}`)).status, 200);
  const hidden = await pat.get(`/staff/referrals/${referralIds.thornwick}`);
  assert.equal(hidden.status, 404);
  await hidden.arrayBuffer();
  for (const format of ['json', 'csv']) {
    const inTeam = await pat.get(`/staff/referrals/${referralIds.eastmere}/export.${format}`);
    assert.equal(inTeam.status, 200, `export.${format} of an in-team referral`);
    assert.match(await inTeam.text(), new RegExp(refs.eastmere!));
    const outOfTeam = await pat.get(`/staff/referrals/${referralIds.thornwick}/export.${format}`);
    assert.equal(outOfTeam.status, 404, `export.${format} of another district's referral answers 404, as the console does`);
    assert.doesNotMatch(await outOfTeam.text(), new RegExp(refs.thornwick!));
  }
  assert.match(await (await partner.get('/staff/referrals?status=all')).text(), new RegExp(refs.thornwick!), 'a county-wide partner officer sees every district');

  const ownerAfterRoundRobin = async (ref: string) => {
    const res = await triage.post(`/staff/cases/${ref}`, { intent: 'assign', ownerId: 'round-robin', team: '' });
    assert.equal(res.status, 303, `round-robin on ${ref}`);
    return /Owner: ([^.<(]+)/.exec(await (await triage.get(`/staff/cases/${ref}`)).text())?.[1]?.trim();
  };
  assert.equal(await ownerAfterRoundRobin(refs.brackenford!), 'Dana Twodistricts', 'the only officer whose team has Brackenford');
  assert.equal(await ownerAfterRoundRobin(refs.eastmere!), 'Bea Eastmere', 'Eastmere\'s team, least recently assigned first');
  assert.equal(await ownerAfterRoundRobin(refs.thornwick!), 'Tom Triage', 'no team for Thornwick: a county-wide officer');
  assert.ok(existsSync(join(server.dir, 'saferline.db')));
});
