/**
 * Hot-spots, the weekly tasking list and perception against reality over HTTP: the ranking and the perception table
 * against an independent SQL count over the raw tables, the emerging flag, scoping by the user's case scope (county,
 * district, partner agency), the CSV, and the public page's HTML (no script, valid).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClient } from '@libsql/client';
import { parse } from 'csv-parse/sync';
import { startServer, type TestServer } from '../helpers/server.ts';
import { Visitor } from '../helpers/http.ts';
import { htmlProblems } from '../helpers/html.ts';
import { signInAs } from './staff-sign-in.ts';
import { insertCases, insertConsultation, month } from '../helpers/insight.ts';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';

const config = loadSiteConfig('content');
const wards = config.areas.filter((a) => a.kind === 'ward');
let server: TestServer;
let triage: Visitor;

/** Cell texts of each body row of the table with this caption. */
function tableRows(html: string, caption: string): string[][] {
  const start = html.indexOf(`>${caption}</caption>`);
  assert.ok(start > 0, `a table captioned "${caption}"`);
  const body = html.slice(html.indexOf('<tbody>', start), html.indexOf('</tbody>', start));
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, '').replace(/&amp;/g, '&').trim()));
}

before(async () => {
  const first = await startServer();
  await first.stop('SIGTERM', { keepFiles: true });
  const db = createClient({ url: first.dbUrl });
  const last = month(-1);
  // Saltings noise: 1 a month for the six months before last month, then 6 last month (flagged: usual 1, flagged from 5).
  for (let k = -7; k <= -2; k++) await insertCases(db, 1, { ward: 'saltings', category: 'noise', at: month(k).start + 3_600_000 });
  await insertCases(db, 6, { ward: 'saltings', category: 'noise', at: last.start + 3_600_000 });
  // Mill Lane: 12 vandalism and 3 drug dealing last month; 4 duplicates that are not counted.
  await insertCases(db, 12, { ward: 'mill-lane', category: 'vandalism', at: last.start + 7_200_000 });
  await insertCases(db, 3, { ward: 'mill-lane', category: 'drug-dealing', at: last.start + 7_200_000 });
  await insertCases(db, 4, { ward: 'mill-lane', category: 'vandalism', at: last.start + 7_200_000, status: 'closed', resolution: 'duplicate' });
  // Northgate: 8 fly-tipping two months ago; no ward: 2.
  await insertCases(db, 8, { ward: 'northgate', category: 'fly-tipping', at: month(-2).start + 3_600_000 });
  await insertCases(db, 2, { ward: null, category: 'noise', at: last.start + 3_600_000 });
  // Referred to the police: 5 in Eastmere Harbour last month, 2 in Mill Lane; one open P1 in Eastmere Harbour this month.
  await insertCases(db, 5, { ward: 'eastmere-harbour', category: 'noise', at: last.start + 3_600_000, status: 'with_partner', agency: 'police' });
  await insertCases(db, 2, { ward: 'mill-lane', category: 'vandalism', at: last.start + 3_600_000, status: 'referred', agency: 'police' });
  await insertCases(db, 1, { ward: 'eastmere-harbour', category: 'asb-personal', at: month(0).start, status: 'referred', priority: 'P1', agency: 'police' });
  // Tasking: open P1s in Northgate (3), a P2 in Saltings, a closed P1 in Saltings (not open); repeat flags in Fenwick Park.
  await insertCases(db, 3, { ward: 'northgate', category: 'asb-personal', at: month(0).start, status: 'open', priority: 'P1' });
  await insertCases(db, 1, { ward: 'saltings', category: 'street-drinking', at: month(0).start, status: 'open', priority: 'P2' });
  await insertCases(db, 1, { ward: 'saltings', category: 'street-drinking', at: month(0).start, status: 'closed', priority: 'P1', resolution: 'action_taken' });
  await insertCases(db, 2, { ward: 'fenwick-park', category: 'noise', at: month(0).start, status: 'open', priority: 'P3', flags: ['repeat_location', 'asb_case_review'] });
  await insertCases(db, 1, { ward: 'fenwick-park', category: 'noise', at: month(0).start, status: 'closed', flags: ['repeat_location'], resolution: 'action_taken' });
  // Perception: a published consultation that closed last month; a draft and one still open are not counted, nor a pending response.
  const S = 'very-safe';
  const F = 'fairly-safe';
  const U = 'a-bit-unsafe';
  const V = 'very-unsafe';
  await insertConsultation(db, { status: 'published', closesAt: last.start + 5 * 86_400_000 }, [
    ['mill-lane', S, S], ['mill-lane', F, F], ['mill-lane', S, U], ['mill-lane', F, V], ['mill-lane', S, U], ['mill-lane', U, V], ['mill-lane', S, S, 'pending'],
    ['saltings', S, S], ['saltings', S, F], ['saltings', F, F], ['saltings', F, S], ['saltings', S, U],
    ['northgate', S, S], ['northgate', V, V], ['northgate', V, V],
  ]);
  await insertConsultation(db, { status: 'draft', closesAt: last.start + 5 * 86_400_000 }, [['northgate', S, S], ['northgate', S, S], ['northgate', S, S]]);
  await insertConsultation(db, { status: 'published', closesAt: Date.now() + 20 * 86_400_000 }, [['saltings', V, V], ['saltings', V, V]]);
  await db.execute('DELETE FROM insight_counts');
  db.close();
  server = await startServer({}, { restartOf: first });
  triage = await signInAs(server.url, 'triage@hollowmere.example');
});
after(() => server?.stop());

/** Reports per ward by an independent SQL count over the cases (duplicates and spam left out), with an extra condition. */
async function countByWard(from: number, to: number, extra = '', args: (string | number)[] = []): Promise<Map<string, number>> {
  const db = createClient({ url: server.dbUrl });
  const r = await db.execute({
    sql: `SELECT ward_id, count(*) AS n FROM cases WHERE kind = 'report' AND received_at >= ? AND received_at < ? AND coalesce(resolution_code, '') NOT IN ('duplicate', 'spam') AND ward_id IS NOT NULL ${extra} GROUP BY ward_id`,
    args: [from, to, ...args],
  });
  db.close();
  return new Map(r.rows.map((x) => [String(x.ward_id), Number(x.n)]));
}

/** Every case of a ward received in a period, whatever its kind and resolution. */
async function countInWard(ward: string, from: number, to: number): Promise<number> {
  const db = createClient({ url: server.dbUrl });
  const r = await db.execute({ sql: 'SELECT count(*) AS n FROM cases WHERE ward_id = ? AND received_at >= ? AND received_at < ?', args: [ward, from, to] });
  db.close();
  return Number(r.rows[0]!.n);
}

/** The ranking table of a hot-spots page as [ward name, reports, rate]. */
function ranking(html: string): [string, number, string][] {
  const start = html.indexOf('Reports per 1,000 residents, ');
  const caption = html.slice(start, html.indexOf('</caption>', start));
  return tableRows(html, caption.replace(/&amp;/g, '&')).map((r) => [r[1]!, Number(r[2]!.replace(/,/g, '')), r[4]!]);
}

/** The rate as the page shows it. */
function rate(n: number, population: number): string {
  return ((n * 1000) / population).toLocaleString('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

test('the ranking over a chosen period matches an SQL count over the cases, ordered by reports per 1,000 residents', async () => {
  const from = month(-3);
  const to = month(-1);
  const res = await triage.get(`/staff/insight/hot-spots?from=${from.id}&to=${to.id}`);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.deepEqual(await htmlProblems(html, 'hot-spots'), []);
  const expected = await countByWard(from.start, to.end);
  const rows = ranking(html);
  assert.equal(rows.length, wards.length, 'every ward is ranked for a county-wide user');
  for (const [name, reports, shown] of rows) {
    const w = wards.find((x) => x.name === name)!;
    assert.equal(reports, expected.get(w.id) ?? 0, name);
    assert.equal(shown, rate(reports, w.population), name);
  }
  const rates = rows.map(([name, reports]) => reports / wards.find((x) => x.name === name)!.population);
  assert.deepEqual(rates, [...rates].sort((a, b) => b - a), 'highest rate first');
  assert.ok((expected.get('mill-lane') ?? 0) >= 17, 'the seeded cases are counted (12 + 3 + 2, duplicates left out)');
  // Each ward links to the reports behind its figure: the queue over the same months, counted as the figure counts them.
  const millLink = /href="([^"]+)">Mill Lane<\/a>/.exec(html)?.[1]?.replaceAll('&amp;', '&');
  assert.equal(millLink, `/staff/queue?status=all&ward=mill-lane&month=${from.id}..${to.id}&counted=1`);
  const millQueue = await (await triage.get(millLink!)).text();
  assert.equal(queueRows(millQueue), expected.get('mill-lane'), 'the queue lists the ranking’s Mill Lane reports');
  assert.match(millQueue, /Showing the cases received in <strong>[A-Z][a-z]+ \d{4} to [A-Z][a-z]+ \d{4}<\/strong>\. The number of cases in each status is not shown for a range of months\./);
  assert.equal(queueTotal(millQueue), 0, 'no counts by status over a range of months');
  assert.match(millQueue, new RegExp(`<option value="${from.id}\\.\\.${to.id}" selected>`), 'the range is chosen in the filter');
  assert.match(millQueue, /feedback and cases resolved as duplicate or spam are left out/);
  assert.deepEqual(await htmlProblems(millQueue, 'queue filtered by a range of months, counted reports'), []);
  // Its "List them too" link adds the 4 duplicates back.
  const everything = /href="([^"]+)">List them too<\/a>/.exec(millQueue)?.[1]?.replaceAll('&amp;', '&');
  assert.equal(everything, `/staff/queue?status=all&ward=mill-lane&month=${from.id}..${to.id}`);
  const allMill = await countInWard('mill-lane', from.start, to.end);
  assert.ok(allMill >= expected.get('mill-lane')! + 4, 'the duplicates are among the ward\'s cases');
  assert.equal(queueRows(await (await triage.get(everything!)).text()), allMill);
  assert.match(html, /2 reports in this period had no ward/);
  // One category and one month.
  const one = await (await triage.get(`/staff/insight/hot-spots?from=${to.id}&to=${to.id}&category=vandalism`)).text();
  const vandalism = await countByWard(to.start, to.end, "AND category_id = 'vandalism'");
  for (const [name, reports] of ranking(one)) assert.equal(reports, vandalism.get(wards.find((x) => x.name === name)!.id) ?? 0, name);
  // The ranking's link with a type chosen: that ward's reports of that type in the month, the rows of its queue.
  const typed = /href="([^"]+)">Mill Lane<\/a>/.exec(one)?.[1]?.replaceAll('&amp;', '&');
  assert.equal(typed, `/staff/queue?status=all&category=vandalism&ward=mill-lane&month=${to.id}&counted=1`);
  assert.equal(queueRows(await (await triage.get(typed!)).text()), vandalism.get('mill-lane'));
});

test('the emerging hot-spot of last month is flagged with its usual level, and the rule is on the page', async () => {
  const to = month(-1);
  const html = await (await triage.get(`/staff/insight/hot-spots?from=${to.id}&to=${to.id}`)).text();
  const rows = tableRows(html, `Emerging hot-spots, ${new Date(to.start + 86_400_000).toLocaleString('en-GB', { month: 'long', year: 'numeric', timeZone: 'Europe/London' })}`);
  const saltings = rows.find((r) => r[0] === 'Saltings' && r[1] === 'Noise nuisance');
  assert.ok(saltings, 'Saltings noise is an emerging hot-spot');
  assert.deepEqual(saltings!.slice(2), ['6', '1', '5']);
  assert.match(html, /at least 3 reports of that type/);
  assert.match(html, /less than 1 time in 100/);
  // Its link opens the queue on that ward, type and month, counted as the figure counts: the same 6 cases, whatever their status.
  const link = /href="([^"]+)">Saltings<\/a>/.exec(html.slice(html.indexOf('id="emerging"')))?.[1]?.replaceAll('&amp;', '&');
  assert.equal(link, `/staff/queue?status=all&category=noise&ward=saltings&month=${to.id}&counted=1`);
  const queue = await (await triage.get(link!)).text();
  assert.equal(queueTotal(queue), 6);
  assert.match(queue, /Showing the cases received in <strong>[A-Z][a-z]+ \d{4}<\/strong>/);
  assert.match(queue, new RegExp(`<option value="${to.id}" selected>`), 'the month is chosen in the filter');
  assert.deepEqual(await htmlProblems(queue, 'queue filtered by month'), []);
  // The tasking list's line for it links to the same view.
  const tasking = await (await triage.get('/staff/insight/tasking')).text();
  const taskingLinks = [...tasking.matchAll(/href="\/staff\/queue\?([^"]+)"/g)].map((m) => Object.fromEntries(new URLSearchParams(m[1]!.replaceAll('&amp;', '&'))));
  assert.ok(taskingLinks.some((q) => JSON.stringify(q) === JSON.stringify({ status: 'all', ward: 'saltings', category: 'noise', month: to.id, counted: '1' })), `the tasking line links to the month: ${JSON.stringify(taskingLinks)}`);
  // Mill Lane's vandalism: the hot-spot's count and its link's queue 14; the month's whole queue also lists the 4 closed as duplicates.
  assert.equal(queueTotal(await (await triage.get(`/staff/queue?status=all&category=vandalism&ward=mill-lane&month=${to.id}&counted=1`)).text()), 14);
  const mill = await (await triage.get(`/staff/queue?status=all&category=vandalism&ward=mill-lane&month=${to.id}`)).text();
  assert.equal(queueTotal(mill), 18);
  assert.equal(queueTotal(await (await triage.get(`/staff/queue?status=all&category=vandalism&ward=mill-lane&month=${month(-2).id}`)).text()), 0);
});

/** The rows of a queue page (50 at most). */
function queueRows(html: string): number {
  return [...html.matchAll(/<tr data-queue-row>/g)].length;
}

/** The sum of the queue page's counts by status. */
function queueTotal(html: string): number {
  const nav = html.slice(html.indexOf('<nav aria-label="Cases by status">'), html.indexOf('</nav>', html.indexOf('<nav aria-label="Cases by status">')));
  return [...nav.matchAll(/ \(([\d,]+)\)<\/a>/g)].reduce((sum, m) => sum + Number(m[1]!.replace(/,/g, '')), 0);
}

test('a wrong period is a 400 with an error summary, never a 500', async () => {
  const res = await triage.get(`/staff/insight/hot-spots?from=${month(-1).id}&to=${month(-3).id}`);
  assert.equal(res.status, 400);
  const html = await res.text();
  assert.match(html, /class="error-summary"/);
  assert.match(html, /The last month must be the same as or after the first month/);
  assert.match(/<title>([^<]*)<\/title>/.exec(html)![1]!, /^Error: Hot-spots - /);
  const bad = await triage.get('/staff/insight/hot-spots?from=1999-01&category=nope');
  assert.equal(bad.status, 400);
  const badHtml = await bad.text();
  assert.match(badHtml, /Choose the first month from the list/);
  assert.match(badHtml, /Choose a type of report from the list/);
  assert.deepEqual(await htmlProblems(badHtml, 'hot-spots error'), []);
});

test('scoping: a district officer sees only their district; a partner officer the aggregates of their district team (the county without one) and only the open cases referred to their agency', async () => {
  const from = month(-3);
  const to = month(-1);
  const district = await signInAs(server.url, 'district@hollowmere.example');
  const districtRows = ranking(await (await district.get(`/staff/insight/hot-spots?from=${from.id}&to=${to.id}`)).text());
  const brackenford = await countByWard(from.start, to.end, "AND district_id = 'brackenford'");
  assert.deepEqual(districtRows.map((r) => r[0]).sort(), wards.filter((w) => w.parent === 'brackenford').map((w) => w.name).sort());
  for (const [name, reports] of districtRows) assert.equal(reports, brackenford.get(wards.find((x) => x.name === name)!.id) ?? 0, name);

  const partner = await signInAs(server.url, 'partner@hollowmere.example');
  const res = await partner.get(`/staff/insight/hot-spots?from=${from.id}&to=${to.id}`);
  assert.equal(res.status, 200);
  const html = await res.text();
  // The partner's agency has no district team here, so its aggregate figures are the county's, as on the dashboard.
  const county = await countByWard(from.start, to.end);
  const police = await countByWard(from.start, to.end, "AND referred_agency_id = 'police'");
  const partnerRows = ranking(html);
  assert.equal(partnerRows.length, wards.length);
  for (const [name, reports] of partnerRows) assert.equal(reports, county.get(wards.find((x) => x.name === name)!.id) ?? 0, name);
  assert.ok(partnerRows.some(([name, reports]) => reports !== (police.get(wards.find((x) => x.name === name)!.id) ?? 0)), 'more than the referred cases');
  assert.doesNotMatch(html, /href="\/staff\/queue/, 'no links to a queue the partner cannot open');

  const tasking = await (await partner.get('/staff/insight/tasking')).text();
  assert.deepEqual(tableRows(tasking, 'Open P1 and P2 cases by ward').map((r) => r.slice(0, 2)), [['Eastmere Harbour', '1']], 'only the referred P1');
  assert.doesNotMatch(tasking, /See the cases/, 'no help about links the partner does not get');
  const districtTasking = await (await district.get('/staff/insight/tasking')).text();
  assert.ok(!tableRows(districtTasking, 'Open P1 and P2 cases by ward').some((r) => r[0] === 'Saltings' || r[0] === 'Eastmere Harbour'), 'no other district');
});

test('the tasking list: emerging hot-spots, wards with most open P1 and P2 cases, repeat thresholds, each linking to the queue; the CSV has the same lines', async () => {
  const res = await triage.get('/staff/insight/tasking');
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.ok(tableRows(html, 'Emerging hot-spots').some((r) => r[0] === 'Saltings' && r[1] === 'Noise nuisance'));
  const db = createClient({ url: server.dbUrl });
  const high = await db.execute("SELECT ward_id, count(*) AS n FROM cases WHERE priority IN ('P1', 'P2') AND status NOT IN ('resolved', 'closed') AND ward_id IS NOT NULL GROUP BY ward_id ORDER BY n DESC, ward_id");
  const flagged = await db.execute("SELECT ward_id, count(*) AS n FROM cases WHERE flags LIKE '%\"asb_case_review\"%' AND status NOT IN ('resolved', 'closed') GROUP BY ward_id");
  db.close();
  const name = (id: unknown) => wards.find((w) => w.id === id)!.name;
  assert.deepEqual(tableRows(html, 'Open P1 and P2 cases by ward').map((r) => [r[0], Number(r[1])]), high.rows.slice(0, 10).map((x) => [name(x.ward_id), Number(x.n)]));
  const repeats = tableRows(html, 'Open cases over a repeat threshold by ward');
  assert.deepEqual(repeats.filter((r) => r[1] === 'ASB Case Review threshold').map((r) => [r[0], Number(r[2])]), flagged.rows.map((x) => [name(x.ward_id), Number(x.n)]));
  assert.deepEqual(repeats.find((r) => r[0] === 'Fenwick Park' && r[1] === 'Repeat location')?.[2], '2', 'the closed case is not counted');
  assert.match(html, /href="\/staff\/queue\?ward=northgate&amp;priority=high&amp;sort=priority"/);
  // The high-priority line's link opens exactly its open P1 and P2 cases: the queue's counts sum to the line's.
  const northgate = Number(tableRows(html, 'Open P1 and P2 cases by ward').find((r) => r[0] === 'Northgate')![1]);
  const northgateQueue = await (await triage.get('/staff/queue?ward=northgate&priority=high&sort=priority')).text();
  assert.equal(queueTotal(northgateQueue), northgate);
  assert.match(northgateQueue, /<option value="high" selected>P1 and P2<\/option>/);
  assert.match(html, /href="\/staff\/queue\?ward=fenwick-park&amp;flag=asb_case_review"/);
  assert.match(html, /no[^.]*coordinates/i, 'the help text says why there are no clusters');
  assert.match(html, /for an emerging hot-spot, the reports of that type in the ward received in that month, as the count counts them \(duplicates and spam left out, with a link to list them too\); for high-priority cases, the ward's open P1 and P2 cases/, 'the help text says what a link opens');
  assert.deepEqual(await htmlProblems(html, 'tasking'), []);

  const csv = await triage.get('/staff/insight/tasking.csv');
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
  const records = parse(await csv.text(), { columns: true }) as Record<string, string>[];
  const highCsv = records.filter((r) => r.section === 'Open high-priority cases');
  assert.deepEqual(highCsv.map((r) => [r.ward, Number(r.count)]), high.rows.slice(0, 10).map((x) => [name(x.ward_id), Number(x.n)]));
  assert.ok(records.some((r) => r.section === 'Emerging hot-spot' && r.ward_id === 'saltings' && new URL(r.queue_link!).pathname === '/staff/queue'));
});

test('perception against reality: the table matches an SQL count over the responses and cases; no script, valid HTML', async () => {
  const res = await new Visitor(server.url).get('/statistics/perception');
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.doesNotMatch(html, /<script/i);
  assert.deepEqual(await htmlProblems(html, '/statistics/perception'), []);
  assert.match(html, /<svg[^>]*role="img"/);
  const first = month(-12);
  const db = createClient({ url: server.dbUrl });
  const answers = await db.execute({
    sql: `SELECT json_extract(r.answers, '$."q1-ward"') AS ward, count(*) AS n,
            sum(json_extract(r.answers, '$."q1-day"') IN ('very-safe', 'fairly-safe')) AS day, sum(json_extract(r.answers, '$."q1-dark"') IN ('very-safe', 'fairly-safe')) AS dark
          FROM consultation_responses r JOIN consultations c ON c.id = r.consultation_id
          WHERE c.status = 'published' AND c.closes_at >= ? AND c.closes_at <= ? AND r.state = 'counted' AND json_extract(r.answers, '$."q1-ward"') IS NOT NULL GROUP BY 1`,
    args: [first.start, Date.now()],
  });
  const sensitive = config.categories.filter((c) => c.sensitive).map((c) => c.id);
  const reports = await db.execute({
    sql: `SELECT ward_id, count(*) AS n FROM cases WHERE kind = 'report' AND received_at >= ? AND received_at < ? AND coalesce(resolution_code, '') NOT IN ('duplicate', 'spam')
          AND category_id NOT IN (${sensitive.map(() => '?').join(', ')}) AND ward_id IS NOT NULL GROUP BY ward_id`,
    args: [first.start, month(0).start, ...sensitive],
  });
  db.close();
  const rows = tableRows(html, `Feeling safe and reports by ward, ${html.match(/Feeling safe and reports by ward, ([^<]+)<\/caption>/)![1]}`);
  assert.equal(rows.length, wards.length);
  let compared = 0;
  for (const w of wards) {
    const row = rows.find((r) => r[0] === w.name)!;
    const a = answers.rows.find((x) => x.ward === w.id);
    const n = Number(a?.n ?? 0);
    assert.equal(row[1], n > 0 && n < 5 ? 'fewer than 5' : String(n), `${w.name} responses (1 to 4 shown as "fewer than 5")`);
    if (n < 5) assert.equal(row[2], 'Fewer than 5 responses', `${w.name} is suppressed`);
    else {
      assert.equal(row[2], `${Math.round((Number(a!.day) / n) * 100)}%`, `${w.name} daylight`);
      assert.equal(row[3], `${Math.round((Number(a!.dark) / n) * 100)}%`, `${w.name} after dark`);
    }
    const count = Number(reports.rows.find((x) => x.ward_id === w.id)?.n ?? 0);
    if (row[4] !== 'withheld') {
      assert.equal(row[4], (Math.round((count * 10_000) / w.population) / 10).toLocaleString('en-GB', { minimumFractionDigits: 1 }), `${w.name} reports per 1,000`);
      compared++;
    }
  }
  assert.ok(compared > 0, 'some wards have their reports published');
  // Nothing new is revealed: a ward's total is shown only when every monthly total of the ward is published on
  // /statistics, so it is their sum; where one is "fewer than 5" or withheld there, the total is withheld here too.
  const stats = (await (await new Visitor(server.url).get('/statistics/data.json')).json()) as { rows: { level: string; area_id: string; group: string; count: number | null }[] };
  for (const w of wards) {
    const monthly = stats.rows.filter((x) => x.level === 'ward' && x.area_id === w.id && x.group === 'All groups');
    assert.equal(monthly.length, 12);
    const shown = rows.find((r) => r[0] === w.name)![4];
    if (monthly.some((x) => x.count === null)) assert.equal(shown, 'withheld', `${w.name}: a suppressed month cannot be recovered from the total`);
    else assert.equal(shown, (Math.round((monthly.reduce((a, x) => a + x.count!, 0) * 10_000) / w.population) / 10).toLocaleString('en-GB', { minimumFractionDigits: 1 }), `${w.name} is the sum of published months`);
  }
  assert.ok(rows.some((r) => r[4] === 'withheld'), 'a ward with a small monthly count is withheld');
  // The seeded answers: Mill Lane 6 counted (the pending one left out), 83% and 33%; Saltings 100% and 80%; Northgate 3: suppressed.
  assert.deepEqual(rows.find((r) => r[0] === 'Mill Lane')!.slice(1, 4), ['6', '83%', '33%']);
  assert.deepEqual(rows.find((r) => r[0] === 'Saltings')!.slice(1, 4), ['5', '100%', '80%']);
  assert.deepEqual(rows.find((r) => r[0] === 'Northgate')!.slice(1, 3), ['fewer than 5', 'Fewer than 5 responses']);
  assert.match(html, /fewer than 5 responses is not shown/);
  assert.match(await (await new Visitor(server.url).get('/statistics')).text(), /href="\/statistics\/perception"/);
});
