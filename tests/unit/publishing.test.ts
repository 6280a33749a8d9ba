/** Publishing on a real database: versions with who and when, the workflow, scheduled publish by the clock, district scope, diffs and figures. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openTestDatabase } from '../helpers/db.ts';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';
import { validateForm } from '../../src/platform/forms/index.ts';
import {
  actOnItem, createItem, costPerOutcome, deleteItem, DELETE_PUBLISHED, NO_SUCH_ITEM, diffVersions, fieldLabel, findPublic, KIND_SCHEMAS, listAchievements, listEditorItems, listEvents, listPublic, listVersions,
  publishDueItems, ratingChange, readGeneration, recommendationData, recommendationFlags, renderMarkdown, saveItem, outcomeRows, type AchievementData, type Editor,
  type RecommendationData,
} from '../../src/domains/publishing/index.ts';

let cleanup: () => Promise<void>;
before(async () => ({ cleanup } = await openTestDatabase()));
after(() => cleanup());

const config = loadSiteConfig('content');
const county: Editor = { id: 'u-county', name: 'Eddie Editor', districtId: null, bindsDistrict: false };
const brackenford: Editor = { id: 'u-brack', name: 'Bea Brackenford', districtId: 'brackenford', bindsDistrict: true };
const eastmere: Editor = { id: 'u-east', name: 'Eli Eastmere', districtId: 'eastmere', bindsDistrict: true };
const T0 = Date.UTC(2026, 2, 2, 10);
const HOUR = 3_600_000;

/** An achievement's data, checked by the form schema as the editor's form would be. */
function achievement(overrides: Record<string, string | string[]> = {}): AchievementData {
  const form = { title: 'Mill Lane underpass reopened', summary: 'Lighting and murals made the underpass safe again.', body: 'The **underpass** reopened.', theme: 'asb', date: '14/2/2026', areas: ['mill-lane'], ...overrides };
  const checked = validateForm(KIND_SCHEMAS.achievement, form);
  assert.ok(checked.ok, JSON.stringify(!checked.ok && checked.errors));
  return checked.data;
}

test('every save is a new version with who and when; the public sees only the published version', async () => {
  const created = await createItem(brackenford, 'achievement', achievement(), T0);
  assert.ok(created.ok);
  assert.equal((await listPublic('achievement', T0)).length, 0, 'a draft is not public');
  assert.ok((await actOnItem(brackenford, created.id, 'submit', T0 + 1)).ok);
  assert.ok((await actOnItem(brackenford, created.id, 'publish', T0 + 2)).ok);
  const saved = await saveItem(brackenford, created.id, 'achievement', achievement({ title: 'Mill Lane underpass reopened for good' }), 1, T0 + 3);
  assert.deepEqual(saved, { ok: true, id: created.id, version: 2 });
  const [pub] = await listPublic('achievement', T0 + 4);
  assert.equal(pub?.data.title, 'Mill Lane underpass reopened', 'the published version stays until published again');
  const versions = await listVersions(created.id);
  assert.deepEqual(versions.map((v) => [v.version, v.authorName, v.createdAt]), [[1, 'Bea Brackenford', T0], [2, 'Bea Brackenford', T0 + 3]]);
  assert.deepEqual((await listEvents(created.id)).map((e) => e.action), ['create', 'submit', 'publish', 'save']);
  const diff = diffVersions(versions[0]!.data, versions[1]!.data);
  assert.deepEqual(diff.map((d) => d.field), ['title']);
  assert.deepEqual(diff[0]!.parts.filter((p) => p.added).map((p) => p.value.trim()), ['for good']);
  assert.equal(diff[0]!.label, 'Title');
  // Field names and an image in words, not code.
  assert.deepEqual(['leadPartner', 'measure0', 'image'].map(fieldLabel), ['Lead partner', 'Measure 1', 'Image']);
  const imageDiff = diffVersions({ image: { key: 'a1.jpg', alt: 'A mural' } }, { image: { key: 'b2.jpg', alt: 'A new mural' } });
  assert.equal(imageDiff[0]!.parts.filter((p) => !p.added).map((p) => p.value).join(''), '"A mural" (file a1.jpg)', 'the old side in words');
  assert.equal(imageDiff[0]!.parts.filter((p) => !p.removed).map((p) => p.value).join(''), '"A new mural" (file b2.jpg)', 'the new side in words');
  assert.doesNotMatch(imageDiff[0]!.parts.map((p) => p.value).join(''), /[{}]/);
  const stale = await saveItem(brackenford, created.id, 'achievement', achievement(), 1, T0 + 5);
  assert.equal(stale.ok, false, 'a save based on an old version is refused');
  assert.ok((await actOnItem(county, created.id, 'publish', T0 + 6)).ok, 'the partnership editor may publish a district item');
  assert.equal((await findPublic('achievement', 'mill-lane-underpass-reopened', T0 + 7))?.data.title, 'Mill Lane underpass reopened for good');
  assert.ok((await actOnItem(brackenford, created.id, 'unpublish', T0 + 8)).ok);
  assert.equal(await findPublic('achievement', 'mill-lane-underpass-reopened', T0 + 9), null, 'unpublished is gone');
});

test('another district editor can neither see nor change a district item', async () => {
  const created = await createItem(brackenford, 'achievement', achievement({ title: 'Scoped item' }), T0);
  assert.ok(created.ok);
  assert.deepEqual(await saveItem(eastmere, created.id, 'achievement', achievement({ title: 'Hijacked' }), 1, T0 + 1), { ok: false, message: 'There is no item with that id' });
  assert.equal((await actOnItem(eastmere, created.id, 'publish', T0 + 1)).ok, false);
  assert.ok(!(await listEditorItems(eastmere)).items.some((i) => i.id === created.id));
  assert.ok((await listEditorItems(brackenford)).items.some((i) => i.id === created.id));
  const countyItem = await createItem(county, 'achievement', achievement({ title: 'County item' }), T0);
  assert.ok(countyItem.ok);
  assert.equal((await actOnItem(brackenford, countyItem.id, 'publish', T0 + 1)).ok, false, 'a district editor cannot change a partnership-wide item');
});

test('a scheduled item is public from its time (by the clock alone); the publish job tidies its state and moves the generation', async () => {
  const created = await createItem(county, 'achievement', achievement({ title: 'Scheduled story', date: '1/3/2026' }), T0);
  assert.ok(created.ok);
  assert.equal((await actOnItem(county, created.id, 'schedule', T0, T0 - 1)).ok, false, 'a time in the past is refused');
  const before = await readGeneration();
  assert.ok((await actOnItem(county, created.id, 'schedule', T0, T0 + 2 * HOUR)).ok);
  const scheduled = await readGeneration();
  assert.equal(scheduled.generation, before.generation + 1);
  assert.equal(scheduled.nextPublishAt, T0 + 2 * HOUR);
  assert.equal(await findPublic('achievement', 'scheduled-story', T0 + HOUR), null);
  assert.ok(await findPublic('achievement', 'scheduled-story', T0 + 2 * HOUR));
  assert.equal(await publishDueItems(T0 + HOUR), 0);
  assert.equal(await publishDueItems(T0 + 3 * HOUR), 1);
  const after = await readGeneration();
  assert.equal(after.generation, scheduled.generation + 1);
  assert.equal(after.nextPublishAt, null);
});

test('delete: a draft goes with its versions and history; one scheduled and then unpublished before its time is kept; a district editor deletes only their own', async () => {
  const draft = await createItem(county, 'achievement', achievement({ title: 'Deleted draft' }), T0);
  assert.ok(draft.ok);
  assert.deepEqual(await deleteItem(county, draft.id, 2, T0), { ok: false, message: 'Someone else saved version 1 since you opened this page. Nothing was deleted; check the latest version below and try again.' });
  const gone = await deleteItem(county, draft.id, 1, T0);
  assert.deepEqual(gone, { ok: true, title: 'Deleted draft', images: [] });
  assert.deepEqual(await listVersions(draft.id), []);
  assert.deepEqual(await listEvents(draft.id), []);
  assert.deepEqual(await deleteItem(county, draft.id, 1, T0), { ok: false, message: NO_SUCH_ITEM });
  // Scheduled, then unpublished before its time: it was never public, but it was set to be, so it stays on record.
  const scheduled = await createItem(county, 'achievement', achievement({ title: 'Scheduled then withdrawn' }), T0);
  assert.ok(scheduled.ok);
  assert.ok((await actOnItem(county, scheduled.id, 'schedule', T0, T0 + HOUR)).ok);
  assert.ok((await actOnItem(county, scheduled.id, 'unpublish', T0)).ok);
  assert.deepEqual(await deleteItem(county, scheduled.id, 1, T0), { ok: false, message: DELETE_PUBLISHED });
  assert.equal((await listVersions(scheduled.id)).length, 1);
  const theirs = await createItem(brackenford, 'achievement', achievement({ title: 'Brackenford draft', areas: ['brackenford-central'] }), T0);
  assert.ok(theirs.ok);
  assert.deepEqual(await deleteItem(eastmere, theirs.id, 1, T0), { ok: false, message: NO_SUCH_ITEM });
  assert.equal((await deleteItem(brackenford, theirs.id, 1, T0)).ok, true);
});

test('achievements filter by theme, area (with the wards within a district) and year', async () => {
  const a = await createItem(county, 'achievement', achievement({ title: 'Filter ward story', theme: 'roads', date: '3/1/2025', areas: ['mill-lane'] }), T0);
  assert.ok(a.ok);
  await actOnItem(county, a.id, 'publish', T0);
  const titles = async (f: object) => (await listAchievements(config.areas, f, T0 + 1)).map((x) => x.data.title);
  assert.ok((await titles({ theme: 'roads' })).includes('Filter ward story'));
  assert.ok((await titles({ area: 'brackenford' })).includes('Filter ward story'), 'a district page includes its wards');
  assert.ok(!(await titles({ area: 'eastmere' })).includes('Filter ward story'));
  assert.ok(!(await titles({ year: '2026' })).includes('Filter ward story'));
  assert.ok((await titles({ year: '2025' })).includes('Filter ward story'));
});

test('cost per outcome is the budget over the change achieved towards the target', () => {
  const checked = validateForm(KIND_SCHEMAS.initiative, {
    title: 'Street Safe', aim: 'Fewer repeat callers', leadPartner: 'Hollowmere Constabulary', partners: 'Council', budget: '£12,000', fundingSource: 'PCC fund',
    start: '1/4/2025', end: '31/3/2026', evaluation: 'in-progress', measure0: 'Repeat ASB callers', baseline0: '120', target0: '60', actual0: '80', measure1: 'Young people engaged', baseline1: '0', target1: '200', actual1: '',
  });
  assert.ok(checked.ok, JSON.stringify(!checked.ok && checked.errors));
  assert.equal(checked.data.budget, 1_200_000);
  assert.equal(costPerOutcome(1_200_000, checked.data.outcomes[0]!), 30_000, '£12,000 for 40 fewer repeat callers is £300 each');
  const rows = outcomeRows(checked.data);
  assert.equal(rows[0]!.costWords, '£300 per unit of change');
  assert.equal(rows[1]!.costPerOutcome, null);
  assert.match(rows[1]!.costWords, /Not yet known/);
  const half = validateForm(KIND_SCHEMAS.initiative, { ...{ title: 'X', aim: 'Y', leadPartner: 'Z', budget: '1', fundingSource: 'F', start: '1/1/2026', evaluation: 'complete' }, measure0: '', baseline0: '5' });
  assert.equal(half.ok, false, 'a half-filled outcome row is refused');
});

test('recommendation flags: not updated for 90 days and target date passed, by the clock', () => {
  const form = validateForm(KIND_SCHEMAS.recommendation, {
    title: 'Publish performance', plan: 'Audit 2025', recommendation: 'Publish performance information in a user-friendly form every quarter.', responsibleRole: 'Performance lead', officer: 'Sam Shah',
    originalTarget: '31/3/2026', currentTarget: '', status: 'on-track', updateDate: '1/3/2026', updateText: 'First quarterly report drafted.',
  });
  assert.ok(form.ok, JSON.stringify(!form.ok && form.errors));
  const data: RecommendationData = recommendationData(form.data, []);
  assert.equal(data.currentTarget, '2026-03-31', 'the current target starts as the original one');
  const created = Date.UTC(2026, 0, 1);
  assert.deepEqual(recommendationFlags(data, created, Date.UTC(2026, 2, 30, 12)), { stale: false, overdue: false, lastUpdate: '2026-03-01' });
  assert.equal(recommendationFlags(data, created, Date.UTC(2026, 3, 1, 12)).overdue, true, 'the day after the target');
  assert.equal(recommendationFlags(data, created, Date.UTC(2026, 4, 29, 12)).stale, false, '89 days after the last update');
  assert.equal(recommendationFlags(data, created, Date.UTC(2026, 4, 30, 12)).stale, true, '90 days after the last update');
  assert.deepEqual(recommendationFlags({ ...data, status: 'complete' }, created, Date.UTC(2027, 0, 1)), { stale: false, overdue: false, lastUpdate: '2026-03-01' });
  const asAbove = validateForm(KIND_SCHEMAS.recommendation, { ...form.data, originalTarget: '31/3/2026', recommendation: 'As above', updateDate: '', updateText: '' });
  assert.equal(asAbove.ok, false);
  assert.match(!asAbove.ok ? asAbove.errors.map((e) => e.text).join() : '', /not "as above"/);
});

test('Markdown is rendered and sanitised', () => {
  const html = renderMarkdown('# Head\n\nHello **world** <script>alert(1)</script> <img src=x onerror=alert(1)> [link](javascript:alert(1))');
  assert.match(html, /<h2>Head<\/h2>/);
  assert.match(html, /<strong>world<\/strong>/);
  assert.ok(!/script|onerror|<img|javascript:/i.test(html), html);
});

test('value-for-money: ratings in between (Green/Amber) and the comparison with the previous assessment', () => {
  assert.equal(ratingChange('green', 'amber-green'), 'Better than last time (Green/Amber)');
  assert.equal(ratingChange('red-amber', 'amber'), 'Worse than last time (Amber)');
  assert.equal(ratingChange('amber', 'amber'), 'Same as last time (Amber)');
  assert.equal(ratingChange('amber', null), 'Not assessed before');
  const ok = validateForm(KIND_SCHEMAS.assessment, { title: 'VfM 2026', date: '1/3/2026', aspect0: 'Use of resources', rating0: 'amber-green', evidence0: 'Cost per outcome reported.', aspect1: '', rating1: '', evidence1: '' });
  assert.ok(ok.ok);
  assert.deepEqual(ok.data.ratings, [{ aspect: 'Use of resources', rating: 'amber-green', evidence: 'Cost per outcome reported.' }]);
  const noEvidence = validateForm(KIND_SCHEMAS.assessment, { title: 'VfM', date: '1/3/2026', aspect0: 'Use of resources', rating0: 'green' });
  assert.equal(noEvidence.ok, false);
  assert.match(!noEvidence.ok ? noEvidence.errors[0]!.text : '', /Enter the evidence/);
  const badRating = validateForm(KIND_SCHEMAS.assessment, { title: 'VfM', date: '1/3/2026', aspect0: 'X', rating0: 'purple', evidence0: 'E' });
  assert.equal(badRating.ok, false);
});

test('a priority needs an area, and an action before its date', () => {
  const base = { title: 'Bikes', issue: 'Off-road bikes', dateRaised: '3/2/2026' };
  assert.equal(validateForm(KIND_SCHEMAS.priority, base).ok, false, 'no area');
  assert.ok(validateForm(KIND_SCHEMAS.priority, { ...base, areas: 'lydgate' }).ok);
  assert.equal(validateForm(KIND_SCHEMAS.priority, { ...base, areas: 'lydgate', dateTaken: '4/2/2026' }).ok, false, 'a date taken without the action');
  assert.equal(validateForm(KIND_SCHEMAS.priority, { ...base, areas: 'lydgate', action: 'Patrols', dateTaken: '1/1/2026' }).ok, false, 'taken before raised');
});

test("the editor's list comes a page at a time, most recently changed first, with every item on one page and the total", async () => {
  for (let i = 0; i < 5; i++) assert.ok((await createItem(county, 'achievement', achievement({ title: `Paged item ${i}` }), T0 + 86_400_000 * 365 + i)).ok);
  const all = await listEditorItems(county);
  assert.equal(all.items.length, all.total);
  const pages = [];
  for (let offset = 0; offset < all.total; offset += 2) {
    const page = await listEditorItems(county, { offset, limit: 2 });
    assert.equal(page.total, all.total);
    assert.ok(page.items.length <= 2);
    pages.push(...page.items.map((i) => i.id));
  }
  assert.deepEqual(pages, all.items.map((i) => i.id), 'the pages together are the whole list, in its order');
  assert.deepEqual(all.items.slice(0, 5).map((i) => i.title), ['Paged item 4', 'Paged item 3', 'Paged item 2', 'Paged item 1', 'Paged item 0'], 'the most recently changed first');
});
