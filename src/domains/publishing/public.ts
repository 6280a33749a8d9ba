/**
 * What the public sees: achievements with filters, initiatives, the improvement plan, areas, feeds and the
 * sitemap. Every function takes the clock, so a scheduled item appears exactly at its publish time.
 */
import { Feed } from 'feed';
import type { Area } from '../../platform/config/partnership.ts';
import { formatDate } from '../../platform/time/london.ts';
import { themeLabel, GROUP_TYPES, type ContentKind } from './content.ts';
import { renderMarkdown } from './markdown.ts';
import { ratingChange, recommendationFlags, ragOf } from './measures.ts';
import { listPublic, type PublicItem } from './store.ts';
import { registerAreaSection, type AreaEntry } from './area-sections.ts';

/** The public path of an item. */
export function publicPath(kind: ContentKind, slug: string): string {
  const paths: Record<ContentKind, string> = { achievement: `/news/${slug}`, initiative: `/initiatives/${slug}`, recommendation: `/improvement-plan#${slug}`, assessment: '/value-for-money', priority: `/priorities#${slug}`, group: `/structure#${slug}` };
  return paths[kind];
}

/** The ids of an area and every area within it (a county's districts and wards, a district's wards). */
export function areaAndWithin(areas: readonly Area[], id: string): string[] {
  const out = [id];
  for (let i = 0; i < out.length; i++) for (const a of areas) if (a.parent === out[i]) out.push(a.id);
  return out;
}

/** Filters of the achievements list. */
export interface AchievementFilter {
  theme?: string;
  area?: string;
  year?: string;
}

/** Published achievements, newest first, filtered by theme, area (and the areas within it) and year. */
export async function listAchievements(areas: readonly Area[], filter: AchievementFilter, now: number): Promise<PublicItem<'achievement'>[]> {
  const within = filter.area ? areaAndWithin(areas, filter.area) : null;
  return (await listPublic('achievement', now))
    .filter((a) => !filter.theme || a.data.theme === filter.theme)
    .filter((a) => !within || a.data.areas.some((id) => within.includes(id)))
    .filter((a) => !filter.year || a.data.date.startsWith(`${filter.year}-`))
    .sort((a, b) => b.data.date.localeCompare(a.data.date) || b.item.id.localeCompare(a.item.id));
}

/** The years that published achievements fall in, newest first. */
export async function achievementYears(now: number): Promise<string[]> {
  return [...new Set((await listPublic('achievement', now)).map((a) => a.data.date.slice(0, 4)))].sort().reverse();
}

/** Published initiatives, most recent start first. */
export async function listInitiatives(now: number): Promise<PublicItem<'initiative'>[]> {
  return (await listPublic('initiative', now)).sort((a, b) => b.data.start.localeCompare(a.data.start));
}

/** The improvement plan: published recommendations grouped by plan, each with its RAG in words and its flags. */
export async function improvementPlan(now: number) {
  const rows = (await listPublic('recommendation', now)).map((r) => ({ ...r, rag: ragOf(r.data.status), flags: recommendationFlags(r.data, r.item.createdAt, now) }));
  const plans = new Map<string, typeof rows>();
  for (const r of rows.sort((a, b) => a.data.currentTarget.localeCompare(b.data.currentTarget))) plans.set(r.data.plan, [...(plans.get(r.data.plan) ?? []), r]);
  return [...plans].map(([plan, recommendations]) => ({ plan, recommendations }));
}

/** The latest value-for-money self-assessment, each rating compared with the one before (matched by what is assessed), and the earlier ones. */
export async function valueForMoney(now: number) {
  const all = (await listPublic('assessment', now)).sort((a, b) => b.data.date.localeCompare(a.data.date));
  const [latest, previous] = all;
  if (!latest) return null;
  const before = new Map((previous?.data.ratings ?? []).map((r) => [r.aspect.toLowerCase(), r.rating]));
  return {
    latest,
    previous: previous ?? null,
    rows: latest.data.ratings.map((r) => ({ ...r, change: ratingChange(r.rating, before.get(r.aspect.toLowerCase()) ?? null) })),
    earlier: all.slice(1),
  };
}

/** The partnership's structure: boards first, then groups, theme groups and delivery groups, each by name. */
export async function partnershipStructure(now: number) {
  const order = Object.keys(GROUP_TYPES);
  return (await listPublic('group', now)).sort((a, b) => order.indexOf(a.data.type) - order.indexOf(b.data.type) || a.data.title.localeCompare(b.data.title));
}

/** A feed of achievements (RSS 2.0 and Atom 1.0) for the whole partnership or one area. */
export function achievementFeed(items: PublicItem<'achievement'>[], options: { title: string; siteUrl: string; path: string; partnership: string }): Feed {
  const base = options.siteUrl.replace(/\/$/, '');
  const feed = new Feed({
    title: options.title,
    id: `${base}${options.path}`,
    link: `${base}/news`,
    description: `Achievements and news from ${options.partnership}`,
    language: 'en-GB',
    copyright: options.partnership,
    updated: new Date(Math.max(0, ...items.map((i) => i.item.publishAt ?? 0))),
    generator: false,
    feedLinks: { rss: `${base}${options.path}.rss`, atom: `${base}${options.path}.atom` },
  });
  for (const { item, data } of items.slice(0, 50)) {
    const link = `${base}${publicPath('achievement', item.slug)}`;
    feed.addItem({ title: data.title, id: link, link, date: new Date(item.publishAt ?? item.createdAt), description: data.summary, content: renderMarkdown(data.body), category: [{ name: themeLabel(data.theme) }] });
  }
  return feed;
}

/** Every public URL path for the sitemap: fixed pages, areas and each published item. */
export async function sitemapPaths(areas: readonly Area[], fixed: readonly string[], now: number): Promise<string[]> {
  const items = [...(await listPublic('achievement', now)), ...(await listPublic('initiative', now))];
  return [...fixed, ...areas.map((a) => `/areas/${a.id}`), ...items.map((i) => publicPath(i.item.kind, i.item.slug))];
}

/** Entries of a kind tagged with any of the area ids. */
async function entriesFor(kind: ContentKind, areaIds: readonly string[], now: number): Promise<AreaEntry[]> {
  const items = await listPublic(kind, now);
  return items
    .filter((i) => (i.data.areas as string[]).some((id) => areaIds.includes(id)))
    .map((i) => ({
      title: i.data.title,
      href: publicPath(kind, i.item.slug),
      summary: 'summary' in i.data ? String(i.data.summary) : undefined,
      date: 'date' in i.data ? formatDate(Date.parse(`${String(i.data.date)}T12:00:00Z`)) : undefined,
    }));
}

registerAreaSection({ id: 'achievements', heading: 'Achievements and news', empty: 'No achievements have been published for this area yet.', list: (ids, now) => entriesFor('achievement', ids, now) });
registerAreaSection({ id: 'initiatives', heading: 'Initiatives', empty: 'No initiatives have been published for this area yet.', list: (ids, now) => entriesFor('initiative', ids, now) });
registerAreaSection({
  id: 'priorities',
  heading: 'Priorities',
  empty: 'No priorities have been published for this area yet.',
  list: async (ids, now) =>
    (await listPublic('priority', now))
      .filter((p) => p.data.areas.some((id) => ids.includes(id)))
      .sort((a, b) => b.data.dateRaised.localeCompare(a.data.dateRaised))
      .map((p) => ({
        title: p.data.title,
        href: `/priorities#${p.item.slug}`,
        summary: `${p.data.issue} ${p.data.action ? `Action${p.data.dateTaken ? ` (${formatDate(Date.parse(`${p.data.dateTaken}T12:00:00Z`))})` : ''}: ${p.data.action}` : 'No action taken yet.'}`,
        date: `raised ${formatDate(Date.parse(`${p.data.dateRaised}T12:00:00Z`))}`,
      })),
});
registerAreaSection({ id: 'improvement-plan', heading: 'Improvement plan', empty: 'No improvement-plan recommendations name this area.', list: (ids, now) => entriesFor('recommendation', ids, now) });
