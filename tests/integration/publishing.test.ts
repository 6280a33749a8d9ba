/**
 * Publishing over HTTP against the built server: an editor's achievement, initiative and recommendation go
 * through the workflow and appear (and disappear) on the public pages, feeds and sitemap; feeds parse with a
 * standard XML parser; another district's editor gets 404; a publish in one process is seen there at once and by
 * a second process sharing the database within the page cache's generation check (GENERATION_CHECK_MS).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import sharp from 'sharp';
import { startServer, type TestServer } from '../helpers/server.ts';
import { Visitor } from '../helpers/http.ts';
import { htmlProblems } from '../helpers/html.ts';
import { signInAs } from './staff-sign-in.ts';
import { GENERATION_CHECK_MS } from '../../src/web/page-cache.ts';

/** Resolve after a pause. */
function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

let server: TestServer;
let second: TestServer;
let editor: Visitor;
let publicA: Visitor;
let publicB: Visitor;
before(async () => {
  server = await startServer();
  second = await startServer({}, { shareWith: server });
  editor = await signInAs(server.url, 'editor@hollowmere.example');
  publicA = new Visitor(server.url);
  publicB = new Visitor(second.url);
});
after(async () => {
  await second?.stop();
  await server?.stop();
});

const parser = new XMLParser({ ignoreAttributes: false });

/** Create an item through the console's form; returns its id. */
async function create(v: Visitor, kind: string, form: Record<string, string>): Promise<string> {
  const res = await v.post(`/staff/publishing/new/${kind}`, form);
  assert.equal(res.status, 303, await res.text());
  const id = /^\/staff\/publishing\/([^?]+)\?saved=1$/.exec(res.headers.get('location') ?? '')?.[1];
  assert.ok(id, 'redirected to the new item');
  return id;
}

/** Run a workflow action on an item; returns the status. */
async function act(v: Visitor, id: string, action: string, extra: Record<string, string> = {}): Promise<number> {
  const res = await v.post(`/staff/publishing/${id}`, { intent: 'action', action, ...extra });
  await res.arrayBuffer();
  return res.status;
}

/** The text of a public path. */
async function page(v: Visitor, path: string): Promise<{ status: number; text: string; res: Response }> {
  const res = await v.get(path);
  return { status: res.status, text: await res.text(), res };
}

/** The titles of a feed, RSS or Atom, parsed by a standard parser after XML validation. */
function feedTitles(xml: string): string[] {
  assert.equal(XMLValidator.validate(xml), true, 'the feed is well-formed XML');
  const doc = parser.parse(xml);
  const items = doc.rss ? [doc.rss.channel.item ?? []].flat() : [doc.feed.entry ?? []].flat();
  return items.map((i: { title: string | { '#text': string } }) => (typeof i.title === 'string' ? i.title : i.title['#text']));
}

const ACHIEVEMENT = { title: 'Saltings beach clean-up cut litter fires', summary: 'Volunteers and the fire service cleared the dunes.', body: 'Fewer **fires** this summer.', theme: 'environment', date: '3/3/2026', areas: 'saltings' };

test('an achievement: draft is private, publish shows it on every public surface, unpublish removes it everywhere', async () => {
  const id = await create(editor, 'achievement', ACHIEVEMENT);
  const slug = 'saltings-beach-clean-up-cut-litter-fires';
  const item = await page(editor, `/staff/publishing/${id}`);
  assert.match(item.text, /Preview of version 1/);
  assert.match(item.text, /<strong>fires<\/strong>/, 'the preview renders the Markdown');
  assert.equal((await page(publicA, `/news/${slug}`)).status, 404, 'a draft is not public');

  assert.equal(await act(editor, id, 'submit'), 303);
  assert.equal(await act(editor, id, 'publish'), 303);
  const shown = await page(publicA, `/news/${slug}`);
  assert.equal(shown.status, 200);
  assert.match(shown.text, /<meta property="og:title" content="Saltings beach clean-up cut litter fires"/);
  assert.match(shown.text, /<meta property="og:type" content="article"/);
  assert.ok(!/<script/i.test(shown.text));
  assert.match((await page(publicA, '/news?theme=environment')).text, new RegExp(slug));
  assert.doesNotMatch((await page(publicA, '/news?theme=roads')).text, new RegExp(slug));
  assert.match((await page(publicA, '/')).text, new RegExp(`/news/${slug}`), 'the home page promotes it');
  assert.match((await page(publicA, '/areas/eastmere')).text, new RegExp(slug), 'its district page lists it (Saltings is in Eastmere)');
  assert.doesNotMatch((await page(publicA, '/areas/brackenford')).text, new RegExp(slug));
  const rss = await page(publicA, '/feeds/news.rss');
  assert.match(rss.res.headers.get('content-type') ?? '', /application\/rss\+xml/);
  assert.ok(feedTitles(rss.text).includes(ACHIEVEMENT.title));
  assert.ok(feedTitles((await page(publicA, '/feeds/news.atom')).text).includes(ACHIEVEMENT.title));
  assert.ok(feedTitles((await page(publicA, '/feeds/areas/saltings.atom')).text).includes(ACHIEVEMENT.title));
  assert.ok(feedTitles((await page(publicA, '/feeds/areas/eastmere.rss')).text).includes(ACHIEVEMENT.title));
  assert.ok(!feedTitles((await page(publicA, '/feeds/areas/brackenford.rss')).text).includes(ACHIEVEMENT.title));
  assert.equal((await page(publicA, '/feeds/areas/nowhere.rss')).status, 404);
  const sitemap = parser.parse((await page(publicA, '/sitemap.xml')).text);
  const locs: string[] = sitemap.urlset.url.map((u: { loc: string }) => u.loc);
  assert.ok(locs.includes(`${server.url}/news/${slug}`));

  // Unpublishing asks first: the item stays public until the editor confirms.
  const asked = await editor.post(`/staff/publishing/${id}`, { intent: 'action', action: 'unpublish' });
  assert.equal(asked.status, 200);
  assert.match(await asked.text(), /Unpublish “Saltings beach clean-up cut litter fires”\?/);
  assert.equal((await page(publicA, `/news/${slug}`)).status, 200, 'still public before confirming');
  assert.equal(await act(editor, id, 'unpublish', { confirm: 'yes' }), 303);
  assert.equal((await page(publicA, `/news/${slug}`)).status, 404);
  assert.doesNotMatch((await page(publicA, '/news')).text, new RegExp(slug));
  assert.doesNotMatch((await page(publicA, '/')).text, new RegExp(slug));
  assert.doesNotMatch((await page(publicA, '/areas/eastmere')).text, new RegExp(slug));
  assert.ok(!feedTitles((await page(publicA, '/feeds/news.rss')).text).includes(ACHIEVEMENT.title));
  assert.ok(!feedTitles((await page(publicA, '/feeds/areas/saltings.atom')).text).includes(ACHIEVEMENT.title));
  assert.doesNotMatch((await page(publicA, '/sitemap.xml')).text, new RegExp(slug));
});

test('versions: a save keeps the old version public until published, and the diff shows the change', async () => {
  const id = await create(editor, 'achievement', { ...ACHIEVEMENT, title: 'Versioned story about Windle' });
  assert.equal(await act(editor, id, 'publish'), 303);
  const save = await editor.post(`/staff/publishing/${id}`, { intent: 'save', basedOn: '1', ...ACHIEVEMENT, title: 'Versioned story about Windle Green' });
  assert.equal(save.status, 303);
  assert.match((await page(publicA, '/news/versioned-story-about-windle')).text, /<h1 class="heading-xl">Versioned story about Windle<\/h1>/);
  const diff = await page(editor, `/staff/publishing/${id}?from=1&to=2`);
  assert.match(diff.text, /Changes from version 1 to version 2/);
  assert.match(diff.text, /<ins>[^<]*Green<\/ins>/);
  assert.match(diff.text, /Version 2, Eddie Editor/);
  const stale = await editor.post(`/staff/publishing/${id}`, { intent: 'save', basedOn: '1', ...ACHIEVEMENT });
  assert.equal(stale.status, 400, 'a save from an old version is refused');
  // The workflow buttons carry the version their page showed: publishing from a page of version 1 is refused now
  // that version 2 exists (it would publish words this editor has not seen), with the error summary; from version 2 it works.
  const edit = await page(editor, `/staff/publishing/${id}`);
  assert.match(edit.text, /<form method="post" class="inline-form" id="action-publish">[\s\S]*?name="basedOn" value="2"/);
  const stalePublish = await editor.post(`/staff/publishing/${id}`, { intent: 'action', action: 'publish', basedOn: '1' });
  assert.equal(stalePublish.status, 400);
  const refused = await stalePublish.text();
  assert.match(refused, /error-summary[\s\S]*Someone else saved version 2 since you opened this page. Nothing was done/);
  assert.deepEqual(await htmlProblems(refused, 'stale publish'), []);
  // Unpublish's question is not asked from that page either (it would be about version 2, unseen): refused at once.
  const staleUnpublish = await editor.post(`/staff/publishing/${id}`, { intent: 'action', action: 'unpublish', basedOn: '1' });
  assert.equal(staleUnpublish.status, 400);
  const staleUnpublishHtml = await staleUnpublish.text();
  assert.match(staleUnpublishHtml, /href="#actions"[^>]*>Someone else saved version 2 since you opened this page. Nothing was done/);
  assert.doesNotMatch(staleUnpublishHtml, /Check before you unpublish/);
  assert.match((await page(publicA, '/news/versioned-story-about-windle')).text, /<h1 class="heading-xl">Versioned story about Windle<\/h1>/, 'still version 1 in public');
  assert.equal(await act(editor, id, 'publish', { basedOn: '2' }), 303);
  assert.match((await page(publicA, '/news/versioned-story-about-windle')).text, /Versioned story about Windle Green/);
  // Restoring version 1 saves its content again as version 3; the public keeps version 2 until it is published.
  const restoring = await page(editor, `/staff/publishing/${id}`);
  assert.match(restoring.text, /name="intent" value="restore"[^]*?name="version" value="1"[^]*?name="basedOn" value="2"[^]*?Restore<span class="visually-hidden"> version 1<\/span>/);
  assert.doesNotMatch(restoring.text, /name="version" value="2"/, 'no button to restore the current version');
  const staleRestore = await editor.post(`/staff/publishing/${id}`, { intent: 'restore', version: '1', basedOn: '1' });
  assert.equal(staleRestore.status, 400);
  const staleHtml = await staleRestore.text();
  assert.match(staleHtml, /href="#versions"[^>]*>Someone else saved version 2 since you opened this page. Nothing was restored/);
  assert.deepEqual(await htmlProblems(staleHtml, 'stale restore'), []);
  for (const version of ['2', '9', 'x']) assert.equal((await editor.post(`/staff/publishing/${id}`, { intent: 'restore', version, basedOn: '2' })).status, 400, `restore ${version}`);
  assert.equal((await editor.post(`/staff/publishing/${id}`, { intent: 'restore', version: '1', basedOn: '2' })).status, 303);
  const restored = await page(editor, `/staff/publishing/${id}`);
  assert.match(restored.text, /Version 3, the public sees version 2/);
  assert.match(restored.text, /<h1 class="heading-l">Versioned story about Windle<\/h1>/, 'version 3 holds version 1\'s words');
  assert.match(restored.text, /Saved an earlier version again \(version 3\) by Eddie Editor/);
  assert.deepEqual(await htmlProblems(restored.text, 'restored'), []);
  assert.match((await page(publicA, '/news/versioned-story-about-windle')).text, /Versioned story about Windle Green/, 'the public still sees version 2');
  assert.equal(await act(editor, id, 'publish', { basedOn: '3' }), 303);
  assert.match((await page(publicA, '/news/versioned-story-about-windle')).text, /<h1 class="heading-xl">Versioned story about Windle<\/h1>/);
  const audit = (await page(await signInAs(server.url, 'admin@hollowmere.example'), '/staff/admin/audit')).text;
  assert.match(audit, /Content item: an earlier version saved again<\/td><td>Eddie Editor[^<]*<\/td><td>Content<\/td><td>[^<]*<\/td><td>version: 3; restored: 1<\/td>/);
});

test('a scheduled item is not public before its time', async () => {
  const id = await create(editor, 'achievement', { ...ACHIEVEMENT, title: 'Scheduled for next year' });
  const bad = await editor.post(`/staff/publishing/${id}`, { intent: 'action', action: 'schedule', publishDate: '1/1/2020', publishTime: '09:00' });
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /must be in the future/);
  assert.equal(await act(editor, id, 'schedule', { publishDate: '1/1/2099', publishTime: '09:00' }), 303);
  assert.match((await page(editor, `/staff/publishing/${id}`)).text, /Scheduled/);
  assert.equal((await page(publicA, '/news/scheduled-for-next-year')).status, 404);
});

test('an initiative shows its cost per outcome; a recommendation its RAG in words and the overdue flag', async () => {
  const form = (await page(editor, '/staff/publishing/new/recommendation')).text;
  assert.match(form, /Write it in full: never &quot;as above&quot;/, 'the hint\'s quotation marks escaped once');
  assert.doesNotMatch(form, /&amp;quot;/);
  const ini = await create(editor, 'initiative', {
    title: 'Lydgate bike project', aim: 'Stop off-road bikes on the playing field.', leadPartner: 'Hollowmere Constabulary', partners: 'Thornwick Council', budget: '9,000', fundingSource: 'PCC fund',
    start: '1/4/2025', end: '', evaluation: 'not-started', measure0: 'Reports of off-road bikes', baseline0: '50', target0: '20', actual0: '30', areas: 'lydgate',
  });
  assert.equal(await act(editor, ini, 'publish'), 303);
  const shown = await page(publicA, '/initiatives/lydgate-bike-project');
  assert.equal(shown.status, 200);
  assert.match(shown.text, /£9,000/);
  assert.match(shown.text, /£450 per unit of change/, '£9,000 for 20 fewer reports');
  assert.match((await page(publicA, '/initiatives')).text, /Lydgate bike project/);

  const asAbove = await editor.post('/staff/publishing/new/recommendation', { title: 'Copy', plan: 'Audit', recommendation: 'As above', responsibleRole: 'Lead', officer: 'A N Other', originalTarget: '1/1/2026', status: 'on-track' });
  assert.equal(asAbove.status, 400);
  assert.match(await asAbove.text(), /not &quot;as above&quot;|not "as above"/);
  const rec = await create(editor, 'recommendation', {
    title: 'Train call handlers in trauma-informed practice', plan: 'Peer review 2024', recommendation: 'Train every call handler in trauma-informed practice within a year.', responsibleRole: 'CSC manager', officer: 'Lee Park',
    originalTarget: '1/6/2024', currentTarget: '', status: 'at-risk', updateDate: '2/2/2024', updateText: 'Course booked for half of the team.', areas: 'hollowmere',
  });
  assert.equal(await act(editor, rec, 'publish'), 303);
  const plan = await page(publicA, '/improvement-plan');
  assert.match(plan.text, /Peer review 2024/);
  assert.match(plan.text, /Amber: Some delay, recovering/);
  assert.match(plan.text, /Target date passed/);
  assert.match(plan.text, /Not updated for 90 days/);
  assert.match(plan.text, /Course booked for half of the team/);
});

test('delete: a never-published item asks first, then goes with its versions and history (audited); a published or scheduled one is only unpublished; a stale page is refused', async () => {
  const id = await create(editor, 'achievement', { ...ACHIEVEMENT, title: 'A draft made by mistake' });
  assert.equal((await editor.post(`/staff/publishing/${id}`, { intent: 'save', basedOn: '1', ...ACHIEVEMENT, title: 'A draft made by mistake, saved again' })).status, 303);
  const item = await page(editor, `/staff/publishing/${id}`);
  assert.match(item.text, /<h2 class="heading-m" id="delete">Delete<\/h2>[^]*?name="intent" value="delete"[^]*?name="basedOn" value="2"[^]*?Delete this achievement<\/button>/);
  // A first press from a page of version 1 is refused at once: the question would be about a version not seen.
  const staleFirst = await editor.post(`/staff/publishing/${id}`, { intent: 'delete', basedOn: '1' });
  assert.equal(staleFirst.status, 400);
  assert.match(await staleFirst.text(), /href="#delete"[^>]*>Someone else saved version 2 since you opened this page. Nothing was deleted/);
  // The first press asks, and deletes nothing. Posted from the page the save led to (?saved=1), it shows the
  // question without that earlier "Saved" banner.
  const asked = await editor.post(`/staff/publishing/${id}?saved=1`, { intent: 'delete', basedOn: '2' });
  assert.equal(asked.status, 200);
  const askedHtml = await asked.text();
  assert.doesNotMatch(askedHtml, /Saved as version/);
  assert.match(askedHtml, /Check before you delete[^]*?Delete “A draft made by mistake, saved again”\?[^]*?Its 2 versions and its history are deleted/);
  assert.match(askedHtml, /<input type="hidden" name="intent" value="delete"><input type="hidden" name="basedOn" value="2"><input type="hidden" name="confirm" value="yes">/);
  assert.deepEqual(await htmlProblems(askedHtml, 'confirm delete'), []);
  assert.equal((await editor.get(`/staff/publishing/${id}`)).status, 200, 'still there after the first press');
  // A confirmation from a page of an older version is refused: someone saved since.
  const stale = await editor.post(`/staff/publishing/${id}`, { intent: 'delete', basedOn: '1', confirm: 'yes' });
  assert.equal(stale.status, 400);
  const staleHtml = await stale.text();
  assert.match(staleHtml, /href="#delete"[^>]*>Someone else saved version 2 since you opened this page. Nothing was deleted/);
  assert.deepEqual(await htmlProblems(staleHtml, 'stale delete'), []);
  assert.equal((await editor.post(`/staff/publishing/${id}`, { intent: 'delete', basedOn: 'x', confirm: 'yes' })).status, 400);
  // Another district's editor cannot delete a partnership item they cannot see.
  const east = await signInAs(server.url, 'eastmere-editor@hollowmere.example');
  assert.equal((await east.post(`/staff/publishing/${id}`, { intent: 'delete', basedOn: '2', confirm: 'yes' })).status, 404);
  // "Yes, delete it" pressed twice at once: one deletes; the other finds it gone, during its request (back to the
  // list) or before it (404, as for any item the editor cannot see); neither fails.
  const both = await Promise.all([1, 2].map(() => editor.post(`/staff/publishing/${id}`, { intent: 'delete', basedOn: '2', confirm: 'yes' })));
  assert.ok(both.some((r) => r.status === 303), `one deleted it: ${both.map((r) => r.status).join(', ')}`);
  for (const done of both) {
    assert.ok(done.status === 303 || done.status === 404, `no failure: ${done.status}`);
    if (done.status === 303) assert.equal(done.headers.get('location'), '/staff/publishing?deleted=1');
  }
  assert.equal((await editor.get(`/staff/publishing/${id}`)).status, 404);
  const list = await page(editor, '/staff/publishing?deleted=1');
  assert.match(list.text, /The item was deleted\./);
  assert.doesNotMatch(list.text, /A draft made by mistake/);
  assert.deepEqual(await htmlProblems(list.text, 'after delete'), []);
  const audit = (await page(await signInAs(server.url, 'admin@hollowmere.example'), '/staff/admin/audit')).text;
  assert.match(audit, /Content item deleted \(never published\)<\/td><td>Eddie Editor[^<]*<\/td><td>Content<\/td><td>[^<]*<\/td><td>kind: achievement; title: A draft made by mistake, saved again; versions: 2<\/td>/);

  // Published once, then unpublished and returned to draft: never deleted, and the page says why.
  const was = await create(editor, 'achievement', { ...ACHIEVEMENT, title: 'Once public, now a draft' });
  assert.equal(await act(editor, was, 'publish'), 303);
  assert.equal(await act(editor, was, 'unpublish', { confirm: 'yes', basedOn: '1' }), 303);
  assert.equal(await act(editor, was, 'submit', { basedOn: '1' }), 303);
  assert.equal(await act(editor, was, 'return', { basedOn: '1' }), 303);
  const kept = await page(editor, `/staff/publishing/${was}`);
  assert.match(kept.text, /Draft/);
  assert.doesNotMatch(kept.text, /name="intent" value="delete"/);
  assert.match(kept.text, /This item has been published or scheduled, so it cannot be deleted/);
  for (const form of [{ intent: 'delete', basedOn: '1' }, { intent: 'delete', basedOn: '1', confirm: 'yes' }] as Record<string, string>[]) {
    const refused = await editor.post(`/staff/publishing/${was}`, form);
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /href="#delete"[^>]*>This item has been published or scheduled, so it cannot be deleted/);
  }
  assert.equal((await editor.get(`/staff/publishing/${was}`)).status, 200, 'kept');
});

test('another district editor cannot see or change a district item (404); the district editor can', async () => {
  const brack = await signInAs(server.url, 'brackenford-editor@hollowmere.example');
  const east = await signInAs(server.url, 'eastmere-editor@hollowmere.example');
  const outside = await brack.post('/staff/publishing/new/achievement', { ...ACHIEVEMENT, title: 'Outside my district', areas: 'saltings' });
  assert.equal(outside.status, 400, 'a district editor may tag only their own areas');
  const id = await create(brack, 'achievement', { ...ACHIEVEMENT, title: 'Brackenford market patrols', areas: 'brackenford-central' });
  assert.equal((await east.get(`/staff/publishing/${id}`)).status, 404);
  assert.equal(await act(east, id, 'publish'), 404);
  assert.equal((await east.post(`/staff/publishing/${id}`, { intent: 'save', basedOn: '1', ...ACHIEVEMENT })).status, 404);
  assert.equal((await east.post(`/staff/publishing/${id}`, { intent: 'restore', version: '1', basedOn: '1' })).status, 404);
  assert.doesNotMatch((await page(east, '/staff/publishing')).text, /Brackenford market patrols/);
  assert.equal(await act(brack, id, 'publish'), 303);
  assert.equal((await page(publicA, '/news/brackenford-market-patrols')).status, 200);
});

test('a publish in one process shows at once there, and on a second process sharing the database within GENERATION_CHECK_MS', async () => {
  for (const v of [publicA, publicB]) await page(v, '/news');
  const again = await page(publicB, '/news');
  assert.equal(again.res.headers.get('x-content-cache'), 'hit', 'the second process serves its cached page');
  assert.equal((await page(publicA, '/news')).res.headers.get('x-content-cache'), 'hit');
  const etag = again.res.headers.get('etag')!;
  const notModified = await publicB.get('/news', { 'if-none-match': etag });
  assert.equal(notModified.status, 304);

  const id = await create(editor, 'achievement', { ...ACHIEVEMENT, title: 'Seen by the second process' });
  assert.equal(await act(editor, id, 'publish'), 303);
  const here = await page(publicA, '/news');
  assert.equal(here.res.headers.get('x-content-cache'), 'miss', 'the publishing process renders afresh at once');
  assert.match(here.text, /Seen by the second process/);
  // The other process reads the generation at most every GENERATION_CHECK_MS: once that has passed it must be fresh.
  await sleep(GENERATION_CHECK_MS);
  const after = await page(publicB, '/news');
  assert.equal(after.res.headers.get('x-content-cache'), 'miss');
  assert.match(after.text, /Seen by the second process/);
  assert.notEqual(after.res.headers.get('etag'), etag);
  assert.equal((await publicB.get('/news', { 'if-none-match': etag })).status, 200, 'the old ETag no longer matches');
  assert.equal(await act(editor, id, 'unpublish', { confirm: 'yes' }), 303);
  await sleep(GENERATION_CHECK_MS);
  assert.doesNotMatch((await page(publicB, '/news')).text, /Seen by the second process/);
  assert.doesNotMatch((await page(publicA, '/news')).text, /Seen by the second process/);
});

test('value for money compares with the previous assessment; priorities appear on their area pages; the structure lists boards and groups', async () => {
  const vfm = await create(editor, 'assessment', { title: 'Value-for-money self-assessment 2026', date: '2/3/2026', aspect0: 'Use of resources', rating0: 'green', evidence0: 'Every initiative reports cost per outcome.', aspect1: 'Performance information', rating1: 'red-amber', evidence1: 'Quarterly report late twice.' });
  assert.equal(await act(editor, vfm, 'publish'), 303);
  const ratings = (await page(publicA, '/value-for-money')).text;
  assert.match(ratings, /Value-for-money self-assessment 2026/);
  assert.match(ratings, /Better than last time \(Green\/Amber\)/, 'Use of resources was Green/Amber in the demo 2025 assessment');
  assert.match(ratings, /Worse than last time \(Amber\)/);
  assert.match(ratings, /Value-for-money self-assessment 2025/, 'earlier assessments are listed');

  const pri = await create(editor, 'priority', { title: 'Bins set alight on Windle Green', issue: 'Bins set alight twice a week behind the shops.', dateRaised: '1/2/2026', action: 'Bins moved and locked; fire service visits.', dateTaken: '10/2/2026', areas: 'windle' });
  assert.equal(await act(editor, pri, 'publish'), 303);
  assert.match((await page(publicA, '/areas/windle')).text, /Bins set alight on Windle Green/);
  assert.match((await page(publicA, '/priorities')).text, /Bins moved and locked/);

  const group = await create(editor, 'group', { title: 'Night-time economy delivery group', type: 'delivery-group', purpose: 'Keeps town centres safe at night.', chair: 'Licensing manager', members: 'Councils, police, pubwatch', actionPlanOwner: 'Licensing manager', cadence: 'Every month', reportsTo: 'Hollowmere Community Safety Partnership Board' });
  assert.equal(await act(editor, group, 'publish'), 303);
  const structure = (await page(publicA, '/structure')).text;
  assert.ok(structure.indexOf('Hollowmere Community Safety Partnership Board') < structure.indexOf('Night-time economy delivery group'), 'boards come first');
  assert.match(structure, /Every month/);
  assert.equal(await act(editor, group, 'unpublish', { confirm: 'yes' }), 303);
  assert.doesNotMatch((await page(publicA, '/structure')).text, /Night-time economy delivery group/);
});

test('an achievement image is re-encoded without its metadata, needs alt text, and shows with og:image', async () => {
  const jpeg = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#3366aa' } })
    .jpeg()
    .withExif({ IFD0: { Copyright: 'secret-photographer', ImageDescription: 'GPS 51.5N' } })
    .toBuffer();
  assert.ok((await sharp(jpeg).metadata()).exif, 'the upload carries EXIF');
  const form = (alt: string) => {
    const f = new FormData();
    for (const [k, v] of Object.entries({ ...ACHIEVEMENT, title: 'Mural at Redcliff community centre', areas: 'redcliff', imageAlt: alt })) f.append(k, v);
    f.append('image', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'mural.jpg');
    return f;
  };
  const noAlt = await editor.post('/staff/publishing/new/achievement', form(''));
  assert.equal(noAlt.status, 400);
  assert.match(await noAlt.text(), /Describe the image/);
  const created = await editor.post('/staff/publishing/new/achievement', form('Pupils painting a mural of the harbour'));
  assert.equal(created.status, 303);
  const id = /\/staff\/publishing\/([^?]+)/.exec(created.headers.get('location')!)![1]!;
  // A draft's image: the editor sees it (never stored by a cache), the public does not.
  const draftSrc = /<img src="(\/media\/[a-z0-9]+\.jpg)" alt="Pupils painting a mural of the harbour"/.exec((await page(editor, `/staff/publishing/${id}`)).text)?.[1];
  assert.ok(draftSrc, 'the editor\'s preview shows the image');
  const forEditor = await editor.get(draftSrc);
  assert.equal(forEditor.status, 200);
  assert.match(forEditor.headers.get('cache-control') ?? '', /no-store/);
  await forEditor.arrayBuffer();
  assert.equal((await publicA.get(draftSrc)).status, 404, 'not public before its item is published');
  assert.equal(await act(editor, id, 'publish'), 303);
  const html = (await page(publicA, '/news/mural-at-redcliff-community-centre')).text;
  const src = /<img src="(\/media\/[a-z0-9]+\.jpg)" alt="Pupils painting a mural of the harbour"/.exec(html)?.[1];
  assert.ok(src, 'the image is shown with its alt text');
  assert.equal(src, draftSrc);
  assert.match(html, new RegExp(`<meta property="og:image" content="${server.url}${src}"`));
  const image = await publicA.get(src);
  assert.equal(image.status, 200);
  assert.equal(image.headers.get('content-type'), 'image/jpeg');
  assert.equal(image.headers.get('cache-control'), 'public, max-age=3600', 'an hour, so a taken-down image leaves caches soon');
  const revalidated = await publicA.get(src, { 'if-none-match': image.headers.get('etag')! });
  assert.equal(revalidated.status, 304);
  const served = Buffer.from(await image.arrayBuffer());
  const meta = await sharp(served).metadata();
  assert.equal(meta.exif, undefined, 'no EXIF left');
  assert.ok(!served.includes('secret-photographer'));
  assert.equal((await publicA.get('/media/..%2F..%2Fsaferline.db')).status, 404);
  const keep = await editor.post(`/staff/publishing/${id}`, (() => { const f = form('A new description'); f.delete('image'); f.append('intent', 'save'); f.append('basedOn', '1'); return f; })());
  assert.equal(keep.status, 303, 'a save without a new file keeps the image');
  assert.match((await page(editor, `/staff/publishing/${id}`)).text, new RegExp(`${src}" alt="A new description"`));
  // The image removed in a new version: still public while the old version is, gone once the new one is published.
  const removed = await editor.post(`/staff/publishing/${id}`, (() => { const f = form('A new description'); f.delete('image'); f.append('intent', 'save'); f.append('basedOn', '2'); f.append('removeImage', 'yes'); return f; })());
  assert.equal(removed.status, 303);
  assert.equal((await publicA.get(src)).status, 200, 'the public still sees the published version with it');
  assert.equal(await act(editor, id, 'publish'), 303);
  assert.equal((await publicA.get(src)).status, 404, 'taken down with the version that removed it');
  // An image of an item taken off the site goes with it.
  const other = await editor.post('/staff/publishing/new/achievement', (() => { const f = form('Pupils painting a mural of the harbour'); f.set('title', 'Second mural at Redcliff'); return f; })());
  assert.equal(other.status, 303);
  const otherId = /\/staff\/publishing\/([^?]+)/.exec(other.headers.get('location')!)![1]!;
  assert.equal(await act(editor, otherId, 'publish'), 303);
  const otherSrc = /<img src="(\/media\/[a-z0-9]+\.jpg)"/.exec((await page(publicA, '/news/second-mural-at-redcliff')).text)![1]!;
  assert.equal((await publicA.get(otherSrc)).status, 200);
  assert.equal(await act(editor, otherId, 'unpublish', { confirm: 'yes' }), 303);
  assert.equal((await publicA.get(otherSrc)).status, 404, 'unpublished with its item');
  assert.equal((await editor.get(otherSrc)).status, 200, 'the editor still sees it');
});

test('an achievement takes a real photo (about 200 kB) and stores it; an image over 10MB gets the page\'s error summary; other publishing forms stay small', async () => {
  const [w, h] = [600, 400];
  const noise = Buffer.alloc(w * h * 3);
  for (let i = 0, x = 1; i < noise.length; i++) noise[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  const photo = await sharp(noise, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
  assert.ok(photo.byteLength > 150 * 1024, `a photo-sized JPEG (${photo.byteLength} bytes)`);
  const form = (title: string, image: Uint8Array<ArrayBuffer>, name: string) => {
    const f = new FormData();
    for (const [k, v] of Object.entries({ ...ACHIEVEMENT, title, areas: 'redcliff', imageAlt: 'Volunteers on the beach' })) f.append(k, v);
    f.append('image', new Blob([image], { type: 'image/jpeg' }), name);
    return f;
  };
  const created = await editor.post('/staff/publishing/new/achievement', form('Beach photo from a phone', new Uint8Array(photo), 'beach.jpg'));
  assert.equal(created.status, 303, created.status === 303 ? '' : await created.text());
  const id = /\/staff\/publishing\/([^?]+)/.exec(created.headers.get('location')!)![1]!;
  const src = /<img src="(\/media\/[a-z0-9]+\.jpg)" alt="Volunteers on the beach"/.exec((await page(editor, `/staff/publishing/${id}`)).text)?.[1];
  assert.ok(src, 'the image is stored and shown on the item page');
  const stored = await editor.get(src);
  assert.equal(stored.status, 200);
  assert.deepEqual(await sharp(Buffer.from(await stored.arrayBuffer())).metadata().then((m) => [m.width, m.height]), [w, h]);
  const replaced = await editor.post(`/staff/publishing/${id}`, (() => { const f = form('Beach photo from a phone', new Uint8Array(photo), 'again.jpg'); f.append('intent', 'save'); f.append('basedOn', '1'); return f; })());
  assert.equal(replaced.status, 303, 'the item page takes the same photo');
  await replaced.arrayBuffer();

  const huge = new Uint8Array(10 * 1024 * 1024 + 1);
  huge.set(photo.subarray(0, 1024));
  const refused = await editor.post('/staff/publishing/new/achievement', form('Too big a photo', huge, 'huge.jpg'));
  assert.equal(refused.status, 400);
  const html = await refused.text();
  assert.match(html, /class="error-summary"/);
  assert.match(html, /huge\.jpg must be smaller than 10MB/);
  assert.match(html, /value="Too big a photo"/, 'the form is kept');
  const tooLarge = await editor.post('/staff/publishing/new/achievement', form('Far too big a photo', new Uint8Array(10 * 1024 * 1024 + 200 * 1024), 'larger.jpg'));
  assert.equal(tooLarge.status, 413);
  assert.match(await tooLarge.text(), /class="error-summary"[\s\S]*What you sent is too large/, 'over the form\'s limit: the page\'s error summary');

  const longText = await editor.post('/staff/publishing/new/initiative', { title: 'An initiative', aim: 'x'.repeat(100 * 1024) });
  assert.equal(longText.status, 413, 'a text form of another kind keeps the 64 kB limit');
  await longText.arrayBuffer();
});
