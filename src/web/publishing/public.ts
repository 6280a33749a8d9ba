/**
 * Glue for the public publishing pages: achievements with filters, an achievement, initiatives, the improvement
 * plan, area pages (sections from the area-section registry), feeds and the sitemap. Unknown or unpublished
 * items are 404.
 */
// Consultations, meetings and e-mail alerts add their sections to the area pages.
import { can, notFound } from '../guards.ts';
import { pageOf, paginationLinks } from '../pagination.ts';
import '../consultations/area-sections.ts';
import '../alerts/area-sections.ts';
import type { AstroGlobal } from 'astro';
import { readPhoto } from '../../domains/reports/index.ts';
import { contentImageDir, editorFromUser } from './editor.ts';
import { getConfig, getRuntime } from '../../server/runtime.ts';
import { formatDate } from '../../platform/time/london.ts';
import { translateOr, translator } from '../../platform/i18n/index.ts';
import {
  achievementFeed, achievementYears, areaAndWithin, areaSections, findPublic, improvementPlan, isEditorImage, isPublicImage, listAchievements, listInitiatives, listPublic, partnershipStructure, sitemapPaths, themeLabel,
  valueForMoney, THEMES,
  type AchievementFilter,
} from '../../domains/publishing/index.ts';

/** The name of an area id (the id itself when unknown). */
export function areaNameOf(id: string): string {
  return getConfig().areas.find((a) => a.id === id)?.name ?? id;
}

/** A day "2026-03-27" in words, in a language ("27 Mawrth 2026"). */
function dayWords(iso: string, lang = 'en'): string {
  return formatDate(Date.parse(`${iso}T12:00:00Z`), lang);
}

/** The site's public URL without a trailing slash. */
export function siteUrl(): string {
  return getRuntime().env.PUBLIC_URL.replace(/\/$/, '');
}

/** Achievements on a page of /news. */
const NEWS_PER_PAGE = 20;

/** The achievements page: filters from the query (unknown values ignored), the matching items, and filter choices. */
export async function loadAchievements(astro: AstroGlobal) {
  const { areas } = getConfig();
  const lang = astro.locals.lang;
  const t = translator(lang);
  const theme = (id: string, english: string) => translateOr(lang, `publishing.theme.${id}`, english);
  const now = Date.now();
  const q = astro.url.searchParams;
  const years = await achievementYears(now);
  const filter: AchievementFilter = {
    theme: THEMES.some((t) => t.id === q.get('theme')) ? q.get('theme')! : undefined,
    area: areas.some((a) => a.id === q.get('area')) ? q.get('area')! : undefined,
    year: years.includes(q.get('year') ?? '') ? q.get('year')! : undefined,
  };
  const all = await listAchievements(areas, filter, now);
  const { page, pages, start, end } = pageOf(all.length, q.get('page'), NEWS_PER_PAGE);
  const items = all.slice(start, end);
  const query = (n: number) => new URLSearchParams(Object.entries({ ...filter, page: n > 1 ? String(n) : undefined }).filter((e): e is [string, string] => !!e[1])).toString();
  return {
    filter,
    total: all.length,
    page,
    pages,
    pagination: paginationLinks(page, pages, (n) => `/news${query(n) ? `?${query(n)}` : ''}`),
    items: items.map((i) => ({ title: i.data.title, href: `/news/${i.item.slug}`, summary: i.data.summary, date: dayWords(i.data.date, lang), theme: theme(i.data.theme, themeLabel(i.data.theme)) })),
    themes: [{ value: '', label: t('publishing.allThemes') }, ...THEMES.map((x) => ({ value: x.id, label: theme(x.id, x.label) }))],
    areas: [{ value: '', label: t('publishing.allAreas') }, ...areas.map((a) => ({ value: a.id, label: a.name }))],
    years: [{ value: '', label: t('publishing.allYears') }, ...years.map((y) => ({ value: y, label: y }))],
  };
}

/** The most recent achievements for the home page, dated in `lang` (`lang` of each is the language of its title). */
export async function recentAchievements(count = 3, lang = 'en') {
  return (await listAchievements(getConfig().areas, {}, Date.now())).slice(0, count).map((i) => ({ title: i.data.title, href: `/news/${i.item.slug}`, summary: i.data.summary, date: dayWords(i.data.date, lang), lang: 'en' }));
}

/** One published item of a kind by its slug, or a 404. */
export async function loadPublicItem<K extends 'achievement' | 'initiative'>(astro: AstroGlobal, kind: K) {
  const found = await findPublic(kind, astro.params.slug ?? '', Date.now());
  if (!found) return { response: new Response(null, { status: 404 }) };
  return { ...found, url: `${siteUrl()}${astro.url.pathname}` };
}

/** The initiatives list, dated in `lang`. */
export async function loadInitiatives(lang = 'en') {
  return (await listInitiatives(Date.now())).map((i) => ({ title: i.data.title, href: `/initiatives/${i.item.slug}`, aim: i.data.aim, lead: i.data.leadPartner, start: dayWords(i.data.start, lang) }));
}

/** The improvement plan tracker, with days in words in `lang`. */
export async function loadImprovementPlan(lang = 'en') {
  const now = Date.now();
  return { plans: await improvementPlan(now), now, dayWords: (iso: string) => dayWords(iso, lang) };
}

/** The value-for-money page: the latest self-assessment compared with the previous one, and earlier assessments. */
export async function loadValueForMoney(lang = 'en') {
  const vfm = await valueForMoney(Date.now());
  return vfm && { ...vfm, date: dayWords(vfm.latest.data.date, lang), previousDate: vfm.previous ? dayWords(vfm.previous.data.date, lang) : null, earlier: vfm.earlier.map((e) => ({ title: e.data.title, date: dayWords(e.data.date, lang), ratings: e.data.ratings })) };
}

/** The structure page: boards and groups in order. */
export async function loadStructure() {
  return (await partnershipStructure(Date.now())).map((g) => ({ slug: g.item.slug, data: g.data, createdAt: g.item.createdAt }));
}

/** The priorities page: every published priority by area (county first), newest raised first. */
export async function loadPriorities(lang = 'en') {
  const { areas } = getConfig();
  const t = translator(lang);
  const all = await listPublic('priority', Date.now());
  const anchored = new Set<string>();
  /** The row's anchor the first time a priority appears (one tagged with two areas is listed under both). */
  const anchorOf = (slug: string) => (anchored.has(slug) ? undefined : (anchored.add(slug), slug));
  return areas
    .map((a) => ({ area: a, priorities: all.filter((p) => p.data.areas.includes(a.id)).sort((x, y) => y.data.dateRaised.localeCompare(x.data.dateRaised)) }))
    .filter((g) => g.priorities.length > 0)
    .map((g) => ({ area: g.area.name, rows: g.priorities.map((p) => ({ slug: anchorOf(p.item.slug), title: p.data.title, issue: p.data.issue, raised: dayWords(p.data.dateRaised, lang), action: p.data.action || t('publishing.noActionYet'), actionIsText: !!p.data.action, taken: p.data.dateTaken ? dayWords(p.data.dateTaken, lang) : t('publishing.notYet') })) }));
}

/** An area page: the area, its parent and children, and every registered section's entries for it. */
export async function loadAreaPage(astro: AstroGlobal) {
  const { areas } = getConfig();
  const area = areas.find((a) => a.id === astro.params.id);
  if (!area) return { response: await notFound(astro) };
  const ids = areaAndWithin(areas, area.id);
  const now = Date.now();
  const sections = await Promise.all(areaSections().map(async (s) => ({ id: s.id, heading: s.heading, empty: s.empty, entries: await s.list(ids, now) })));
  return {
    area,
    parent: areas.find((a) => a.id === area.parent) ?? null,
    children: areas.filter((a) => a.parent === area.id),
    sections,
  };
}

/** The areas index: the county, its districts and their wards. */
export function areaTree() {
  const { areas } = getConfig();
  const county = areas.find((a) => a.kind === 'county')!;
  return { county, districts: areas.filter((a) => a.parent === county.id).map((d) => ({ ...d, wards: areas.filter((w) => w.parent === d.id) })) };
}

/** An achievements feed response (RSS or Atom), for the whole partnership or one area; an unknown area is 404. */
export async function feedResponse(format: 'rss' | 'atom', areaId?: string): Promise<Response> {
  const { areas, partnership } = getConfig();
  const area = areaId === undefined ? null : areas.find((a) => a.id === areaId);
  if (area === undefined) return new Response('Not found', { status: 404 });
  const items = await listAchievements(areas, { area: area?.id }, Date.now());
  const feed = achievementFeed(items, {
    title: area ? `${partnership.shortName}: achievements in ${area.name}` : `${partnership.shortName}: achievements and news`,
    siteUrl: siteUrl(),
    path: area ? `/feeds/areas/${area.id}` : '/feeds/news',
    partnership: partnership.name,
  });
  const body = format === 'rss' ? feed.rss2() : feed.atom1();
  return new Response(body, { headers: { 'Content-Type': format === 'rss' ? 'application/rss+xml; charset=utf-8' : 'application/atom+xml; charset=utf-8' } });
}

/** The fixed public pages listed in the sitemap. */
const FIXED_PATHS = ['/', '/report', '/track', '/news', '/initiatives', '/improvement-plan', '/value-for-money', '/priorities', '/structure', '/areas', '/advice', '/about', '/contact', '/accessibility', '/privacy', '/cookies'];

/** sitemap.xml: every public page and published item. */
export async function sitemapResponse(): Promise<Response> {
  const base = siteUrl();
  const paths = await sitemapPaths(getConfig().areas, FIXED_PATHS, Date.now());
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${paths.map((p) => `  <url><loc>${esc(base + p)}</loc></url>`).join('\n')}\n</urlset>\n`;
  return new Response(body, { headers: { 'Content-Type': 'application/xml; charset=utf-8' } });
}

/**
 * A content image by key from the content upload folder. The public gets only the image of a version it sees, cached
 * for an hour (so an image taken down, or unpublished with its item, leaves browsers and proxies soon); its key never
 * changes, so a revalidation is a 304. An editor also gets the images of the drafts and old versions they may edit,
 * never stored by a cache. Anything else is 404.
 */
export async function contentImageResponse(key: string, locals: App.Locals, ifNoneMatch: string | null, now = Date.now()): Promise<Response> {
  const type = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp' }[key.split('.').pop() ?? ''];
  const notFoundResponse = () => new Response('Not found', { status: 404 });
  if (!type || !/^[a-z0-9]{1,64}\.(jpg|png|webp)$/.test(key)) return notFoundResponse();
  const isPublic = await isPublicImage(key, now);
  const editor = !isPublic && locals.user && can(locals, 'publish') ? editorFromUser(locals.user) : null;
  if (!isPublic && !(editor && (await isEditorImage(editor, key)))) return notFoundResponse();
  const etag = `"${key}"`;
  const headers = { 'Content-Type': type, 'Cache-Control': isPublic ? 'public, max-age=3600' : 'private, no-store', ETag: etag };
  if (isPublic && ifNoneMatch?.split(',').some((t) => t.trim() === etag)) return new Response(null, { status: 304, headers });
  try {
    const body = await readPhoto(contentImageDir(), key);
    return new Response(new Uint8Array(body), { headers });
  } catch {
    return notFoundResponse();
  }
}
