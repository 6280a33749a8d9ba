/**
 * The partner dashboard and county view over HTTP: every figure against an independent count over the raw tables
 * (cases seeded through the domain functions with a controllable clock), scoping by district and agency, a bad
 * period answered 400 with an error summary, valid HTML.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';
import { htmlProblems } from '../helpers/html.ts';
import { signInAs } from './staff-sign-in.ts';
import { closeDatabase, openDatabase, type Database } from '../../src/platform/db/client.ts';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';
import { londonMonth, londonTime } from '../../src/platform/time/london.ts';
import { createCase, type NewCase } from '../../src/domains/reports/submit.ts';
import { changeStatus, refreshFlags, triageCase } from '../../src/domains/cases/actions.ts';
import { actOnReferral, referCase } from '../../src/domains/referrals/actions.ts';
import { TIMER_LABELS, TIMER_NAMES, type Priority, type TriageAnswers } from '../../src/domains/cases/index.ts';
import { changeWords, durationWords, percentWords } from '../../src/web/insight/dashboard.ts';
import { settings } from '../unit/cases-fixtures.ts';
import { bucketMiddleMs, durationBucket } from '../../src/domains/insight/measures.ts';
import type { StaffActor } from '../../src/domains/cases/actions.ts';

const config = loadSiteConfig('content');
let server: TestServer;

/** A London month `k` months before the current one, as id and bounds. */
function monthBack(k: number): { id: string; from: number; to: number } {
  const [y, m] = londonMonth(Date.now()).split('-').map(Number) as [number, number];
  const at = (n: number) => ({ y: Math.floor(n / 12), m: (n % 12) + 1 });
  const a = at(y * 12 + m - 1 - k);
  const b = at(y * 12 + m - k);
  return { id: `${a.y}-${String(a.m).padStart(2, '0')}`, from: londonTime(a.y, a.m, 1, 0), to: londonTime(b.y, b.m, 1, 0) };
}
const period = monthBack(1);
const previous = monthBack(2);
const lastYear = monthBack(13);

before(async () => {
  const first = await startServer();
  await first.stop('SIGTERM', { keepFiles: true });
  const database: Database = await openDatabase({ url: first.dbUrl, timeoutMs: 5000 });
  const ctx = { config, actor: { kind: 'public' as const, ip: '127.0.0.1' }, publicUrl: 'http://localhost:4321' };
  const officer: StaffActor = { id: 'insight-officer', name: 'Insight Officer', permissions: ['case.read.all', 'case.update', 'case.refer', 'case.close', 'case.reopen'] };
  const wards = ['saltings', 'mill-lane', 'northgate', null, 'redcliff'];
  const categories = ['noise', 'vandalism', 'fly-tipping'];
  const channels = ['web', 'phone', 'email'] as const;
  const base: NewCase = { kind: 'report', channel: 'web', description: 'Loud music late at night', privacy: 'named', consentShare: true };
  const seed = async (from: number, count: number, offset: number) => {
    const refs: string[] = [];
    for (let i = 0; i < count; i++) {
      const at = from + 2 * 86_400_000 + i * 7_200_000;
      const email = i % 3 === 0 ? 'repeat@example.org' : `resident${offset + i}@example.org`;
      const created = await createCase({ ...base, wardId: wards[i % wards.length], categoryId: categories[i % 3], channel: channels[(i >> 1) % 3]!, reporter: { name: 'Sam', email } }, ctx, at);
      refs.push(created.ref);
    }
    return refs;
  };
  const refs = await seed(period.from, 15, 0);
  await seed(previous.from, 6, 100);
  await seed(lastYear.from, 4, 200);
  // A P4 report in the last hours of the period, left new: its resolve timer falls due weeks after today (not yet due).
  await createCase({ ...base, wardId: 'saltings', categoryId: 'fly-tipping', reporter: { name: 'Sam', email: 'late@example.org' } }, ctx, period.to - 3 * 3_600_000);
  const answers: TriageAnswers[] = [{ risk: 'high', vulnerable: 'yes', repeat: 'no', hate: 'no' }, { risk: 'none', vulnerable: 'no', repeat: 'no', hate: 'no' }, { risk: 'some', vulnerable: 'yes', repeat: 'yes', hate: 'no' }];
  const t0 = period.from + 2 * 86_400_000;
  for (let i = 0; i < 12; i++) {
    const at = t0 + i * 7_200_000 + (i % 4) * 3_600_000 + 60_000 * i;
    assert.equal((await changeStatus(refs[i]!, officer, { to: 'open' }, settings, at)).ok, true);
    assert.equal((await triageCase(refs[i]!, officer, answers[i % 3]!, settings, at + 600_000)).ok, true);
  }
  for (let i = 0; i < 6; i++) assert.equal((await changeStatus(refs[i]!, officer, { to: 'resolved', resolutionCode: 'advice_given' }, settings, t0 + (i + 1) * 86_400_000 * (i % 2 ? 1 : 9))).ok, true);
  assert.equal((await changeStatus(refs[6]!, officer, { to: 'closed', resolutionCode: 'duplicate' }, settings, t0 + 86_400_000)).ok, true);
  const partner = { id: 'partner-x', permissions: ['referral.partner' as const], bindsAgency: true };
  for (const [i, agencyId, ackAfter] of [[7, 'police', 3_600_000], [8, 'police', 30 * 86_400_000], [9, 'asb-team', 7_200_000], [10, 'police', null]] as const) {
    const r = await referCase(refs[i]!, officer, { agencyId, fields: ['category'] }, { ...settings, config }, t0 + 86_400_000);
    assert.ok(r.ok);
    if (ackAfter !== null) assert.equal((await actOnReferral(r.id, { ...partner, agencyId }, { action: 'acknowledge', text: '' }, { ...settings, config }, t0 + 86_400_000 + ackAfter)).ok, true);
  }
  // One resident reporting again and again: the same reporter record (the web form makes one per report).
  await database.client.execute("UPDATE cases SET reporter_id = (SELECT min(c.reporter_id) FROM cases c JOIN reporters r ON r.id = c.reporter_id WHERE r.email = 'repeat@example.org') WHERE reporter_id IN (SELECT id FROM reporters WHERE email = 'repeat@example.org')");
  const all = await database.client.execute('SELECT ref, received_at FROM cases');
  for (const row of all.rows) await refreshFlags(String(row.ref), Number(row.received_at) + 1000);
  // Calls and consultation responses are not cases: written as rows.
  const calls: [number, string][] = [[period.from + 3_600_000, 'abandoned'], [period.from + 7_200_000, 'case_created'], [period.from + 9_000_000, 'advice_given'], [previous.from + 3_600_000, 'abandoned']];
  for (const [i, [at, outcome]] of calls.entries()) {
    await database.client.execute({ sql: "INSERT INTO calls (id, handler_id, started_at, duration_s, reason, outcome, created_at) VALUES (?, 'h', ?, 60, 'new_report', ?, ?)", args: [`call-${i}`, at, outcome, at] });
  }
  for (const [id, area] of [['cons-east', 'eastmere'], ['cons-all', null], ['cons-brack', 'mill-lane']] as const) {
    await database.client.execute({ sql: "INSERT INTO consultations (id, slug, title, area_id, topic, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'safety', 'published', 0, 0)", args: [id, id, `Consultation ${id}`, area] });
  }
  const responses: [string, string, number][] = [['cons-east', 'counted', 3], ['cons-east', 'pending', 1], ['cons-all', 'counted', 2], ['cons-brack', 'counted', 1]];
  let k = 0;
  for (const [cid, state, n] of responses) {
    for (let j = 0; j < n; j++, k++) await database.client.execute({ sql: "INSERT INTO consultation_responses (id, consultation_id, channel, answers, state, submitted_at) VALUES (?, ?, 'online', '{}', ?, ?)", args: [`resp-${k}`, cid, state, period.from + 86_400_000 + k] });
  }
  await database.client.execute({ sql: "INSERT INTO user_districts (user_id, district_id) SELECT id, 'eastmere' FROM users WHERE email = 'partner@hollowmere.example'", args: [] });
  await closeDatabase();
  server = await startServer({}, { restartOf: first });
});
after(() => server?.stop());

/** The text of an HTML fragment: tags dropped, entities decoded, spaces collapsed. */
function text(html: string): string {
  return html.replace(/<[^>]+>/g, '').replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCharCode(parseInt(n, 16))).replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/\s+/g, ' ').trim();
}

/** The body rows of the table whose caption starts with `caption`, as cell texts (empty when there is no such table). */
function tableRows(html: string, caption: string): string[][] {
  const tables = html.split('<table').slice(1).map((t) => t.slice(0, t.indexOf('</table>')));
  const table = tables.find((t) => text(/<caption[^>]*>([\s\S]*?)<\/caption>/.exec(t)?.[1] ?? '').startsWith(caption));
  if (!table) return [];
  const body = table.slice(table.indexOf('<tbody'));
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => [...m[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => text(c[1]!)));
}

/** The value of a summary-list row. */
function summaryValue(html: string, key: string): string {
  const m = new RegExp(`<dt class="summary-list__key"[^>]*>\\s*${key}\\s*</dt>\\s*<dd[^>]*>([\\s\\S]*?)</dd>`).exec(html);
  assert.ok(m, `summary row ${key}`);
  return text(m[1]!);
}

type Row = Record<string, unknown>;

/** The raw counted report rows (kind report, not duplicate or spam) in [from, to), optionally of some districts. */
async function rawCases(db: Database, from: number, to: number, districts: string[] | null): Promise<Row[]> {
  const r = await db.client.execute({ sql: "SELECT * FROM cases WHERE kind = 'report' AND received_at >= ? AND received_at < ?", args: [from, to] });
  return r.rows.filter((x) => !['duplicate', 'spam'].includes(String(x.resolution_code ?? '')) && (districts === null || districts.includes(String(x.district_id)))) as Row[];
}

/** The lower median of a list, or null. */
function lowerMedian(values: number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

/** Everything the dashboard should show for a scope, counted straight from the raw tables in JavaScript. */
async function expected(districts: string[] | null, agencyId: string | null, now: number) {
  const db = await openDatabase({ url: server.dbUrl, timeoutMs: 5000 });
  try {
    const cur = await rawCases(db, period.from, period.to, districts);
    const prev = await rawCases(db, previous.from, previous.to, districts);
    const last = await rawCases(db, lastYear.from, lastYear.to, districts);
    const tally = (rows: Row[], key: string) => rows.reduce((m, x) => m.set(String(x[key] ?? ''), (m.get(String(x[key] ?? '')) ?? 0) + 1), new Map<string, number>());
    const trio = (key: string) => {
      const [a, b, c] = [tally(cur, key), tally(prev, key), tally(last, key)];
      return new Map([...new Set([...a.keys(), ...b.keys(), ...c.keys()])].map((id) => [id, [a.get(id) ?? 0, b.get(id) ?? 0, c.get(id) ?? 0] as const]));
    };
    const timers = new Map<string, { due: number; met: number }>();
    let notYetDue = 0;
    for (const x of cur) {
      if (!x.timers) continue;
      const t = JSON.parse(String(x.timers)) as Record<string, { dueAt: number; metAt?: number | null } | null> & { priority: Priority };
      for (const name of TIMER_NAMES) {
        const tm = t[name];
        const key = `${t.priority}|${name}`;
        const v = timers.get(key) ?? { due: 0, met: 0 };
        // The documented rule (TIMER_DUE_RULE): a timer not yet met counts once the (UTC) day it fell due has ended.
        if (tm && (tm.metAt != null || tm.dueAt < Math.floor(now / 86_400_000) * 86_400_000)) v.due++;
        if (tm && tm.metAt != null && tm.metAt <= tm.dueAt) v.met++;
        if (tm && tm.metAt == null && tm.dueAt >= Math.floor(now / 86_400_000) * 86_400_000) notYetDue++;
        timers.set(key, v);
      }
    }
    // The medians are read from duration buckets: the middle of the bucket holding the exact lower median.
    const inBucket = (exact: number | null) => (exact === null ? null : bucketMiddleMs(durationBucket(exact)));
    const ack = inBucket(lowerMedian(cur.flatMap((x) => { const t = x.timers ? JSON.parse(String(x.timers)) : null; return t?.acknowledge?.metAt != null ? [t.acknowledge.metAt - Number(x.received_at)] : []; })));
    const resolve = inBucket(lowerMedian(cur.flatMap((x) => (x.resolved_at != null ? [Number(x.resolved_at) - Number(x.received_at)] : []))));
    const flagged = (flag: string) => cur.filter((x) => (JSON.parse(String(x.flags)) as string[]).includes(flag));
    const repeatVictims = new Set(flagged('repeat_reporter').map((x) => x.reporter_id)).size;
    const caseReviews = flagged('asb_case_review').length;
    const ids = new Map(cur.map((x) => [String(x.id), x]));
    const allCases = new Map((await db.client.execute('SELECT id, district_id FROM cases')).rows.map((x) => [String(x.id), x.district_id]));
    const refs = (await db.client.execute({ sql: 'SELECT * FROM referrals WHERE sent_at >= ? AND sent_at < ?', args: [period.from, period.to] })).rows
      .filter((r) => (districts === null || districts.includes(String(allCases.get(String(r.case_id))))) && (agencyId === null || r.agency_id === agencyId));
    const referrals = new Map<string, { sent: number; acknowledged: number; onTime: number; times: number[] }>();
    for (const r of refs) {
      const v = referrals.get(String(r.agency_id)) ?? { sent: 0, acknowledged: 0, onTime: 0, times: [] };
      v.sent++;
      if (r.acknowledged_at != null) {
        v.acknowledged++;
        v.times.push(Number(r.acknowledged_at) - Number(r.sent_at));
        if (Number(r.acknowledged_at) <= Number(r.acknowledge_due_at)) v.onTime++;
      }
      referrals.set(String(r.agency_id), v);
    }
    const calls = (await db.client.execute({ sql: 'SELECT outcome FROM calls WHERE started_at >= ? AND started_at < ?', args: [period.from, period.to] })).rows;
    const areaDistrict = (id: string | null) => (id === null ? null : config.areas.find((a) => a.id === id)!.kind === 'district' ? id : config.areas.find((a) => a.id === id)!.parent!);
    const consultations = (await db.client.execute({ sql: "SELECT c.title, c.area_id, count(*) n FROM consultation_responses r JOIN consultations c ON c.id = r.consultation_id WHERE r.state = 'counted' AND r.submitted_at >= ? AND r.submitted_at < ? GROUP BY c.id", args: [period.from, period.to] })).rows
      .filter((c) => { const d = areaDistrict(c.area_id == null ? null : String(c.area_id)); return d === null || districts === null || districts.includes(d); });
    return { notYetDue, total: [cur.length, prev.length, last.length], byCategory: trio('category_id'), byDistrict: trio('district_id'), byWard: trio('ward_id'), channels: tally(cur, 'channel'), timers, ack, resolve, repeatVictims, caseReviews, referrals, calls, consultations, ids };
  } finally {
    await closeDatabase();
  }
}

/** Check one dashboard page against the independent figures. */
async function checkDashboard(html: string, e: Awaited<ReturnType<typeof expected>>) {
  const name = (id: string) => config.areas.find((a) => a.id === id)?.name ?? 'Place not known';
  const checkTrio = (caption: string, want: Map<string, readonly [number, number, number]>, label: (id: string) => string) => {
    const rows = tableRows(html, caption);
    assert.equal(rows.length, [...want.values()].filter((v) => v.some((n) => n > 0)).length, `${caption}: one row per value seen`);
    for (const [id, [c, p, l]] of want) {
      const row = rows.find((r) => r[0] === label(id));
      assert.ok(row, `${caption}: ${label(id)}`);
      assert.deepEqual(row.slice(1), [String(c), String(p), changeWords(c, p), String(l), changeWords(c, l)], `${caption}: ${label(id)}`);
    }
  };
  assert.match(summaryValue(html, 'Reports'), new RegExp(`^${e.total[0]} \\(${changeWords(e.total[0]!, e.total[1]!).replace(/[()+]/g, '\\$&')} on the previous period; ${changeWords(e.total[0]!, e.total[2]!).replace(/[()+]/g, '\\$&')} on the same`));
  checkTrio('Reports by category', e.byCategory, (id) => config.categories.find((c) => c.id === id)!.name);
  checkTrio('Reports by district', e.byDistrict, name);
  checkTrio('Reports by ward', e.byWard, name);
  const channels = tableRows(html, 'Reports by channel');
  for (const row of channels) assert.equal(row[1], String(e.channels.get({ Web: 'web', Phone: 'phone', 'E-mail': 'email', API: 'api', Partner: 'partner' }[row[0]!]!) ?? 0), `channel ${row[0]}`);
  const timers = tableRows(html, 'Timers met by priority');
  assert.equal(timers.length, e.timers.size / TIMER_NAMES.length * TIMER_NAMES.length);
  for (const [key, v] of e.timers) {
    const [priority, name] = key.split('|') as [string, (typeof TIMER_NAMES)[number]];
    const row = timers.find((r) => r[0] === priority && r[1] === TIMER_LABELS[name]);
    assert.deepEqual(row, [priority, TIMER_LABELS[name], String(v.due), String(v.met), percentWords(v.met, v.due)], key);
  }
  assert.ok([...e.timers.values()].some((v) => v.met > 0) && [...e.timers.values()].some((v) => v.due > v.met), 'some timers met and some missed');
  assert.equal(summaryValue(html, 'Median time to acknowledge'), durationWords(e.ack));
  assert.equal(summaryValue(html, 'Median time to resolve'), durationWords(e.resolve));
  assert.equal(summaryValue(html, 'Repeat victims'), String(e.repeatVictims));
  assert.equal(summaryValue(html, 'Case Review thresholds reached'), String(e.caseReviews));
  const abandoned = e.calls.filter((c) => c.outcome === 'abandoned').length;
  assert.equal(summaryValue(html, 'Hotline calls handled \\(whole hotline\\)'), String(e.calls.length - abandoned));
  assert.equal(summaryValue(html, 'Hotline calls abandoned \\(whole hotline\\)'), String(abandoned));
  const referrals = tableRows(html, 'Referrals sent');
  assert.equal(referrals.length, e.referrals.size);
  for (const [agency, v] of e.referrals) {
    const label = config.agencies.find((a) => a.id === agency)!.name;
    // The referral median, like the case medians, is the middle of the bucket holding the exact lower median.
    const median = lowerMedian(v.times);
    assert.deepEqual(referrals.find((r) => r[0] === label), [label, String(v.sent), String(v.acknowledged), String(v.onTime), durationWords(median === null ? null : bucketMiddleMs(durationBucket(median)))], agency);
  }
  const consultations = tableRows(html, 'Consultation responses received');
  assert.deepEqual(consultations.map((r) => `${r[0]}=${r[1]}`).sort(), e.consultations.map((c) => `${c.title}=${c.n}`).sort());
}

test('the dashboard of a county-wide user: every figure equals an independent count over the raw tables', async () => {
  const admin = await signInAs(server.url, 'admin@hollowmere.example');
  const before = Date.now();
  const res = await admin.get(`/staff/insight?period=${period.id}`);
  assert.equal(res.status, 200);
  const html = await res.text();
  const e = await expected(null, null, before);
  assert.ok(e.total[0]! >= 10 && e.total[1]! > 0 && e.total[2]! > 0, 'cases in all three periods');
  assert.ok(e.notYetDue > 0, 'some timers of the period not met and not yet due (they do not count as missed)');
  assert.ok(e.repeatVictims >= 1 && e.caseReviews >= 1 && e.referrals.size === 2 && e.ack !== null && e.resolve !== null, `the seed reaches every measure: ${JSON.stringify({ r: e.repeatVictims, c: e.caseReviews, f: e.referrals.size, a: e.ack, z: e.resolve })}`);
  await checkDashboard(html, e);
  assert.doesNotMatch(html, /<script/i);
  assert.match(html, /<svg[^>]*role="img"/);
  assert.match(html, /On track|At risk|Off track/);
  assert.deepEqual(await htmlProblems(html, '/staff/insight'), []);
});

test('a district officer sees only their district; a partner only their districts and their agency\'s referrals', async () => {
  const district = await signInAs(server.url, 'district@hollowmere.example');
  const before = Date.now();
  const dHtml = await (await district.get(`/staff/insight?period=${period.id}`)).text();
  const d = await expected(['brackenford'], null, before);
  await checkDashboard(dHtml, d);
  assert.deepEqual(tableRows(dHtml, 'Reports by district').map((r) => r[0]), ['Brackenford']);
  assert.doesNotMatch(dHtml, /Consultation cons-east/);
  const partner = await signInAs(server.url, 'partner@hollowmere.example');
  const pHtml = await (await partner.get(`/staff/insight?period=${period.id}`)).text();
  const p = await expected(['eastmere'], 'police', before);
  await checkDashboard(pHtml, p);
  assert.deepEqual(tableRows(pHtml, 'Reports by district').map((r) => r[0]), ['Eastmere']);
  assert.ok(tableRows(pHtml, 'Referrals sent').every((r) => r[0] === 'Hollowmere Constabulary'));
  const county = await (await partner.get(`/staff/insight/county?period=${period.id}`)).text();
  const head = /<thead>([\s\S]*?)<\/thead>/.exec(county.slice(county.indexOf('Measures by district')))![1]!;
  assert.deepEqual([...head.matchAll(/<th[^>]*>([\s\S]*?)<\/th>/g)].map((m) => text(m[1]!)), ['Measure', 'Eastmere', 'Total of your districts']);
});

test('the county view: every district side by side and the county total, each equal to the independent count', async () => {
  const admin = await signInAs(server.url, 'admin@hollowmere.example');
  const before = Date.now();
  const res = await admin.get(`/staff/insight/county?period=${period.id}`);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.deepEqual(await htmlProblems(html, '/staff/insight/county'), []);
  const rows = tableRows(html, 'Measures by district');
  const districts = config.areas.filter((a) => a.kind === 'district');
  const row = (label: string) => rows.find((r) => r[0] === label)!.slice(1);
  const columns = [...districts.map((x) => [x.id]), null];
  const all = await Promise.all(columns.map((c) => expected(c, null, before)));
  assert.deepEqual(row('Reports'), all.map((e) => String(e.total[0])));
  assert.deepEqual(row('Change on previous period'), all.map((e) => changeWords(e.total[0]!, e.total[1]!)));
  assert.deepEqual(row('Median time to resolve'), all.map((e) => durationWords(e.resolve)));
  assert.deepEqual(row('Repeat victims'), all.map((e) => String(e.repeatVictims)));
  assert.deepEqual(row('Referrals sent'), all.map((e) => String([...e.referrals.values()].reduce((a, v) => a + v.sent, 0))));
  assert.deepEqual(row('Acknowledge timers met in time'), all.map((e) => { const v = [...e.timers].filter(([k]) => k.endsWith('|acknowledge')).reduce((a, [, x]) => ({ due: a.due + x.due, met: a.met + x.met }), { due: 0, met: 0 }); return `${percentWords(v.met, v.due)} (${v.met} of ${v.due})`; }));
  assert.deepEqual(row('Consultation responses'), all.map((e, i) => String(e.consultations.filter((c) => i === all.length - 1 || c.area_id !== null).reduce((a, c) => a + Number(c.n), 0))));
  assert.ok(Number(row('Reports').at(-1)) > Number(row('Reports')[0]), 'the total is more than one district');
});

test('a period that is not offered is a 400 with an error summary, and the page stays valid', async () => {
  const admin = await signInAs(server.url, 'admin@hollowmere.example');
  const res = await admin.get('/staff/insight?period=1999-Q1');
  assert.equal(res.status, 400);
  const html = await res.text();
  assert.match(html, /class="error-summary"/);
  assert.match(html, /Select a month or a quarter from the list/);
  assert.deepEqual(await htmlProblems(html, '/staff/insight (bad period)'), []);
  const quarter = await admin.get(`/staff/insight?period=${period.id.slice(0, 4)}-Q${Math.floor((Number(period.id.slice(5)) - 1) / 3) + 1}`);
  assert.equal(quarter.status, 200);
  assert.match(await quarter.text(), /Quarter|to /);
});
