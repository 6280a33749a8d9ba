/**
 * Easy-read pages: short sentences, one idea per line, from content/easy-read/<slug>.<lang>.md (frontmatter:
 * title, summary). "home" is the start page's version, "report" the report guidance's, and every other slug is the
 * easy-read version of the advice page with the same slug. Each file is rendered by the publishing Markdown
 * sanitiser; files are read at request time and re-read when one changes.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { renderMarkdown } from './markdown.ts';

/** The languages easy-read pages are written in; English is the fallback. */
export const EASY_READ_LANGUAGES = ['en', 'cy'] as const;
/** One easy-read language. */
export type EasyReadLanguage = (typeof EASY_READ_LANGUAGES)[number];
/** The slugs that are not advice pages: the start page and the report guidance. */
export const EASY_READ_PAGE_SLUGS = ['home', 'report'] as const;

/** One easy-read file, rendered. */
export interface EasyReadPage {
  slug: string;
  lang: EasyReadLanguage;
  title: string;
  summary: string;
  /** Sanitised HTML; may still hold {{tokens}} for the partnership's phone numbers. */
  html: string;
}

/** The short interface words of the easy-read pages and links, per language (one place, to translate). */
export const EASY_READ_TEXT: Record<EasyReadLanguage, { link: string; standardLink: string; caption: string; titleSuffix: string; adviceHeading: string }> = {
  en: { link: 'Easy read version', standardLink: 'Standard version of this page', caption: 'Easy read', titleSuffix: '(easy read)', adviceHeading: 'Easy read advice' },
  cy: { link: 'Fersiwn hawdd ei deall', standardLink: 'Fersiwn safonol y dudalen hon', caption: 'Hawdd ei ddeall', titleSuffix: '(hawdd ei ddeall)', adviceHeading: 'Cyngor hawdd ei ddeall' },
};

const FILE_NAME = /^([a-z0-9-]+)\.(en|cy)\.md$/;
let cache: { dir: string; stamp: string; pages: Map<string, EasyReadPage> } | undefined;

/** The easy-read language for a request's language code: Welsh for 'cy', English for anything else. */
export function chooseEasyReadLanguage(lang: string | null | undefined): EasyReadLanguage {
  return lang === 'cy' ? 'cy' : 'en';
}

/** Remove matching quotes around a frontmatter value. */
function unquoteValue(value: string): string {
  const v = value.trim();
  if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) return v.slice(1, -1);
  return v;
}

/** Parse one easy-read file: top-level `key: value` frontmatter (title, summary), then the Markdown body. */
export function parseEasyReadFile(slug: string, lang: EasyReadLanguage, text: string): EasyReadPage {
  const match = /^---\n([\s\S]*?)\n---\n?([\s\S]*)$/.exec(text.replace(/\r\n/g, '\n'));
  if (!match) throw new Error(`easy-read ${slug}.${lang}.md has no frontmatter`);
  const fields: Record<string, string> = {};
  for (const line of match[1]!.split('\n')) {
    const kv = /^([A-Za-z][\w-]*):\s*(.*)$/.exec(line);
    if (kv && kv[2] !== '') fields[kv[1]!] = unquoteValue(kv[2]!);
  }
  if (!fields.title) throw new Error(`easy-read ${slug}.${lang}.md has no title`);
  return { slug, lang, title: fields.title, summary: fields.summary ?? '', html: renderMarkdown(match[2]!) };
}

/** Every easy-read file in a folder, keyed "<slug>.<lang>"; re-read when a file is added, removed or changed. */
export function loadEasyReadPages(dir: string): Map<string, EasyReadPage> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => FILE_NAME.test(n)).sort();
  } catch {
    return new Map();
  }
  const stamp = names.map((n) => `${n}:${statSync(join(dir, n)).mtimeMs}`).join('|');
  if (cache && cache.dir === dir && cache.stamp === stamp) return cache.pages;
  const pages = new Map<string, EasyReadPage>();
  for (const name of names) {
    const [, slug, lang] = FILE_NAME.exec(name)!;
    pages.set(`${slug}.${lang}`, parseEasyReadFile(slug!, lang as EasyReadLanguage, readFileSync(join(dir, name), 'utf8')));
  }
  cache = { dir, stamp, pages };
  return pages;
}

/** The easy-read page of a slug in the request's language (the English file when there is no Welsh one). */
export function findEasyReadPage(pages: ReadonlyMap<string, EasyReadPage>, slug: string, lang: string | null | undefined): EasyReadPage | undefined {
  return pages.get(`${slug}.${chooseEasyReadLanguage(lang)}`) ?? pages.get(`${slug}.en`);
}

/** The easy-read page of an advice slug, or undefined for the start page, the report guidance or an unknown slug. */
export function findEasyReadAdvice(pages: ReadonlyMap<string, EasyReadPage>, slug: string, lang: string | null | undefined): EasyReadPage | undefined {
  if ((EASY_READ_PAGE_SLUGS as readonly string[]).includes(slug)) return undefined;
  return findEasyReadPage(pages, slug, lang);
}

/** The path of a slug's easy-read page. */
export function easyReadHref(slug: string): string {
  if (slug === 'home') return '/easy-read';
  if (slug === 'report') return '/easy-read/report';
  return `/easy-read/advice/${slug}`;
}

/** The path of the standard page an easy-read slug stands for. */
export function standardHref(slug: string): string {
  if (slug === 'home') return '/';
  if (slug === 'report') return '/report';
  return `/advice/${slug}`;
}
