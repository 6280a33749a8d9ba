/**
 * Easy read (issue 17): every advice page has an easy-read file in English and Welsh, the files keep to the
 * easy-read style, and the loader picks the Welsh file for 'cy' and the English one otherwise.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  EASY_READ_LANGUAGES,
  EASY_READ_TEXT,
  EASY_READ_PAGE_SLUGS,
  chooseEasyReadLanguage,
  easyReadHref,
  findEasyReadAdvice,
  findEasyReadPage,
  loadEasyReadPages,
  parseEasyReadFile,
  standardHref,
} from '../../src/domains/publishing/index.ts';

const root = join(import.meta.dirname, '../..');
const easyReadDir = join(root, 'content/easy-read');
const adviceSlugs = readdirSync(join(root, 'content/advice')).filter((n) => n.endsWith('.md')).map((n) => n.replace(/\.md$/, ''));
const pages = loadEasyReadPages(easyReadDir);

test('every advice page, the start page and the report guidance have an easy-read file in English and in Welsh', () => {
  assert.ok(adviceSlugs.length >= 10, `found ${adviceSlugs.length} advice pages`);
  const missing = [...EASY_READ_PAGE_SLUGS, ...adviceSlugs].flatMap((slug) => EASY_READ_LANGUAGES.filter((lang) => !pages.has(`${slug}.${lang}`)).map((lang) => `content/easy-read/${slug}.${lang}.md`));
  assert.deepEqual(missing, []);
});

test('every file in content/easy-read is a loaded page of the start page, the report guidance or an advice page', () => {
  const names = readdirSync(easyReadDir);
  assert.equal(pages.size, names.length, `every file is named <slug>.<en|cy>.md: ${names.join(', ')}`);
  const orphans = [...pages.values()].filter((p) => !(EASY_READ_PAGE_SLUGS as readonly string[]).includes(p.slug) && !adviceSlugs.includes(p.slug)).map((p) => `${p.slug}.${p.lang}.md`);
  assert.deepEqual(orphans, [], 'an easy-read file without an advice page of the same slug');
});

test('the easy-read files keep to the style: a title and summary, no paragraph or list item over 25 words, Welsh and English with the same sections', () => {
  const long: string[] = [];
  for (const page of pages.values()) {
    assert.ok(page.summary.length >= 10, `${page.slug}.${page.lang}.md has a summary`);
    for (const m of page.html.matchAll(/<(p|li)>([\s\S]*?)<\/\1>/g)) {
      const words = m[2]!.replace(/<[^>]+>/g, ' ').split(/\s+/).filter(Boolean);
      if (words.length > 25) long.push(`${page.slug}.${page.lang}.md: ${words.length} words: ${words.slice(0, 6).join(' ')}…`);
    }
  }
  assert.deepEqual(long, []);
  for (const slug of [...EASY_READ_PAGE_SLUGS, ...adviceSlugs]) {
    const count = (lang: string) => (pages.get(`${slug}.${lang}`)?.html.match(/<h2>/g) ?? []).length;
    assert.equal(count('cy'), count('en'), `${slug}: as many sections in Welsh as in English`);
  }
});

test('every easy-read title with its "(easy read)" words fits in 50 characters, so the page title stays within 70', () => {
  const long = [...pages.values()].map((p) => `${p.title} ${EASY_READ_TEXT[p.lang].titleSuffix}`).filter((t) => t.length > 50);
  assert.deepEqual(long, []);
});

test('the language choice: the Welsh file for cy, the English file for en, no language or any other', () => {
  assert.equal(chooseEasyReadLanguage('cy'), 'cy');
  for (const lang of ['en', undefined, null, 'fr', 'CY ']) assert.equal(chooseEasyReadLanguage(lang), 'en');
  assert.equal(findEasyReadPage(pages, 'noise', 'cy')?.title, 'Sŵn');
  assert.equal(findEasyReadPage(pages, 'noise', 'cy')?.lang, 'cy');
  assert.equal(findEasyReadPage(pages, 'noise', 'en')?.title, 'Noise');
  assert.equal(findEasyReadPage(pages, 'noise', undefined)?.title, 'Noise');
  assert.equal(findEasyReadPage(pages, 'home', 'cy')?.title, 'Problemau yn eich ardal');
});

test('a page without a Welsh file falls back to English; the advice finder refuses the start page, the report guidance and unknown slugs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'easy-read-'));
  try {
    writeFileSync(join(dir, 'parking.en.md'), '---\ntitle: Parking\nsummary: An easy read guide to parking.\n---\n\nPark well.\n');
    writeFileSync(join(dir, 'home.en.md'), '---\ntitle: Home\nsummary: The easy read start page.\n---\n\nHello.\n');
    writeFileSync(join(dir, 'notes.txt'), 'not a page');
    const local = loadEasyReadPages(dir);
    assert.deepEqual([...local.keys()].sort(), ['home.en', 'parking.en']);
    assert.equal(findEasyReadPage(local, 'parking', 'cy')?.lang, 'en');
    assert.equal(findEasyReadAdvice(local, 'parking', 'cy')?.title, 'Parking');
    assert.equal(findEasyReadAdvice(local, 'home', 'en'), undefined);
    assert.equal(findEasyReadAdvice(local, 'report', 'en'), undefined);
    assert.equal(findEasyReadAdvice(local, 'nothing', 'en'), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an easy-read file is rendered by the publishing sanitiser and needs a title', () => {
  const page = parseEasyReadFile('x', 'en', '---\ntitle: "Quoted"\nsummary: A summary here.\n---\n\n## Call\n\n**{{emergency}}**\n\n<script>alert(1)</script><img src=x onerror=alert(1)>\n');
  assert.equal(page.title, 'Quoted');
  assert.match(page.html, /<h2>Call<\/h2>/);
  assert.match(page.html, /<strong>\{\{emergency\}\}<\/strong>/, 'tokens are left for the page to fill');
  assert.ok(!/<script|<img|onerror/.test(page.html), page.html);
  assert.throws(() => parseEasyReadFile('x', 'en', '---\nsummary: No title.\n---\nBody'), /no title/);
  assert.throws(() => parseEasyReadFile('x', 'en', 'No frontmatter'), /no frontmatter/);
});

test('the easy-read and standard paths of a slug', () => {
  assert.deepEqual(['home', 'report', 'noise'].map(easyReadHref), ['/easy-read', '/easy-read/report', '/easy-read/advice/noise']);
  assert.deepEqual(['home', 'report', 'noise'].map(standardHref), ['/', '/report', '/advice/noise']);
});
