/**
 * The published advice pages (content/advice/*.md), read straight from the Markdown so the call screen can
 * search them and record which were given, without Astro. Frontmatter: title, summary, order, contacts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** One advice page as the call screen needs it. */
export interface AdvicePage {
  slug: string;
  title: string;
  summary: string;
  order: number;
  body: string;
}

/** A search hit. */
export interface AdviceHit {
  slug: string;
  title: string;
  summary: string;
}

let cache: { dir: string; stamp: string; pages: AdvicePage[] } | undefined;

function unquote(value: string): string {
  const v = value.trim();
  if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) return v.slice(1, -1).replace(/\\"/g, '"').replace(/''/g, "'");
  return v;
}

/** Split a Markdown file into its simple frontmatter fields (top-level `key: value` lines) and body. */
export function parseAdviceFile(slug: string, text: string): AdvicePage {
  const normalised = text.replace(/\r\n/g, '\n');
  const match = /^---\n([\s\S]*?)\n---\n?([\s\S]*)$/.exec(normalised);
  const fields: Record<string, string> = {};
  let body = normalised;
  if (match) {
    body = match[2]!;
    for (const line of match[1]!.split('\n')) {
      const kv = /^([A-Za-z][\w-]*):\s*(.*)$/.exec(line);
      if (kv && kv[2] !== '') fields[kv[1]!] = unquote(kv[2]!);
    }
  }
  const order = Number(fields.order);
  return { slug, title: fields.title || slug.replace(/-/g, ' '), summary: fields.summary ?? '', order: Number.isFinite(order) ? order : 999, body };
}

/** Every advice page in a folder (ADVICE_DIR, else CONTENT_DIR/advice), ordered by `order` then title; re-read when a file changes. */
export function loadAdvicePages(dir = process.env.ADVICE_DIR || join(process.env.CONTENT_DIR ?? 'content', 'advice')): AdvicePage[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.md') || n.endsWith('.mdx')).sort();
  } catch {
    return [];
  }
  const stamp = names.map((n) => `${n}:${statSync(join(dir, n)).mtimeMs}`).join('|');
  if (cache && cache.dir === dir && cache.stamp === stamp) return cache.pages;
  const pages = names
    .map((n) => parseAdviceFile(n.replace(/\.mdx?$/, ''), readFileSync(join(dir, n), 'utf8')))
    .filter((p) => !p.slug.startsWith('_'))
    .sort((a, b) => a.order - b.order || a.title.localeCompare(b.title));
  cache = { dir, stamp, pages };
  return pages;
}

function words(text: string): string[] {
  return text.toLowerCase().normalize('NFKD').replace(/[^a-z0-9\s]/g, ' ').split(/\s+/).filter((w) => w.length > 1);
}

/** Pages matching every word of the query in the title, summary or body, best first (all pages for an empty query). */
export function searchAdvice(query: string, pages: readonly AdvicePage[], limit = 20): AdviceHit[] {
  const terms = words(query);
  const hits = pages
    .map((p) => {
      if (terms.length === 0) return { p, score: 0 };
      const title = words(p.title).join(' ');
      const summary = words(p.summary).join(' ');
      const body = words(p.body).join(' ');
      let score = 0;
      for (const t of terms) {
        const s = (title.includes(t) ? 6 : 0) + (summary.includes(t) ? 3 : 0) + (body.includes(t) ? 1 : 0);
        if (s === 0) return null;
        score += s;
      }
      return { p, score };
    })
    .filter((h): h is { p: AdvicePage; score: number } => h !== null)
    .sort((a, b) => b.score - a.score || a.p.order - b.p.order);
  return hits.slice(0, limit).map(({ p }) => ({ slug: p.slug, title: p.title, summary: p.summary }));
}
