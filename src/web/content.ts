/**
 * The partnership's Markdown content in the request's language: a translation lives beside the English in a
 * language folder (content/advice/cy/noise.md, content/pages/cy/about.md) with the same name; without one the
 * English is used and marked as English (`lang` is the language the text is actually in).
 */
import { getCollection, getEntry, type CollectionEntry } from 'astro:content';
import { DEFAULT_LANGUAGE } from '../platform/i18n/index.ts';
import type { Partnership } from '../platform/config/partnership.ts';
import { getConfig } from '../server/runtime.ts';
import { phonesIn } from './language.ts';

/** A content entry in a language: its English id, the entry to show, and the language its text is in. */
export type LocalisedEntry<C extends 'advice' | 'pages'> = { id: string; entry: CollectionEntry<C>; lang: string };

/** Whether an entry id is a translation in a language folder ("cy/noise"). */
function isTranslationId(id: string): boolean {
  return /^[a-z]{2,3}\//.test(id);
}

/** Every advice page in order (by `order`), each in `lang` when translated, else in English. */
export async function listAdviceIn(lang: string): Promise<LocalisedEntry<'advice'>[]> {
  const all = await getCollection('advice');
  const byId = new Map(all.map((e) => [e.id, e]));
  return all
    .filter((e) => !isTranslationId(e.id))
    .sort((a, b) => a.data.order - b.data.order)
    .map((e) => {
      const translated = lang === DEFAULT_LANGUAGE ? undefined : byId.get(`${lang}/${e.id}`);
      return { id: e.id, entry: translated ?? e, lang: translated ? lang : DEFAULT_LANGUAGE };
    });
}

/** One entry of a collection by its English id, in `lang` when translated, else in English; undefined when there is none. */
export async function findEntryIn<C extends 'advice' | 'pages'>(collection: C, id: string, lang: string): Promise<LocalisedEntry<C> | undefined> {
  if (isTranslationId(id)) return undefined;
  const english = (await getEntry(collection, id)) as CollectionEntry<C> | undefined;
  if (!english) return undefined;
  const translated = lang === DEFAULT_LANGUAGE ? undefined : ((await getEntry(collection, `${lang}/${id}`)) as CollectionEntry<C> | undefined);
  return { id, entry: translated ?? english, lang: translated ? lang : DEFAULT_LANGUAGE };
}

/** The partnership's configuration with its phone words in a language (for {{tokens}} in content in that language). */
export function partnershipIn(lang: string): Partnership {
  const { partnership } = getConfig();
  return { ...partnership, phones: phonesIn(partnership.phones, lang) };
}
