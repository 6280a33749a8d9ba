/** The easy-read page a route shows, in the request's language, from the files under CONTENT_DIR/easy-read. */
import { join } from 'node:path';
import { easyReadHref, findEasyReadAdvice, findEasyReadPage, loadEasyReadPages, type EasyReadPage } from '../../domains/publishing/index.ts';
import { getRuntime } from '../../server/runtime.ts';

/** Every easy-read file of the site's content folder. */
function loadSiteEasyRead(): ReadonlyMap<string, EasyReadPage> {
  return loadEasyReadPages(join(getRuntime().env.CONTENT_DIR, 'easy-read'));
}

/** The easy-read version of the start page ('home') or the report guidance ('report') in a language. */
export function findSitePage(slug: 'home' | 'report', lang: string | undefined): EasyReadPage {
  const page = findEasyReadPage(loadSiteEasyRead(), slug, lang);
  if (!page) throw new Error(`content/easy-read/${slug}.en.md is missing`);
  return page;
}

/** The easy-read version of an advice page in a language; undefined for an unknown slug. */
export function findSiteAdvice(slug: string, lang: string | undefined): EasyReadPage | undefined {
  return /^[a-z0-9-]+$/.test(slug) ? findEasyReadAdvice(loadSiteEasyRead(), slug, lang) : undefined;
}

/** Links to the easy-read advice pages in a language, in the order of the slugs given (slugs without a file are left out). */
export function listSiteAdvice(slugs: readonly string[], lang: string | undefined): { href: string; title: string }[] {
  return slugs.flatMap((slug) => {
    const page = findSiteAdvice(slug, lang);
    return page ? [{ href: easyReadHref(slug), title: page.title }] : [];
  });
}
