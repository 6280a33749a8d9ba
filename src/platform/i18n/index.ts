/**
 * Languages: flat translation catalogues in content/locales/<code>.json, plus optional part files
 * <code>.<part>.json merged into the same language (key -> text, `{name}` placeholders,
 * plural forms as `key.one`, `key.two`, `key.few`, `key.many`, `key.other`, `key.zero` chosen by Intl.PluralRules).
 * Each catalogue names its language in itself under `language.name`. English (en.json) is the fallback for a
 * missing key. Catalogues are read once (at boot, or on first use) and never per request. Adding a language is
 * adding a file: no code change.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The default language, and the fallback for any missing key. */
export const DEFAULT_LANGUAGE = 'en';

/** Parameters put into a text's `{name}` placeholders. */
export type TranslateParams = Readonly<Record<string, string | number>>;

type Catalogue = ReadonlyMap<string, string>;

let catalogues: Map<string, Catalogue> | undefined;
const pluralRules = new Map<string, Intl.PluralRules>();

/** The language and part a catalogue file name holds ("cy.json" -> cy, "cy.pages.json" -> cy), or undefined for other files. */
function catalogueFileLanguage(file: string): string | undefined {
  return /^([a-z]{2,3})(?:\.[a-z][a-z0-9-]*)?\.json$/.exec(file)?.[1];
}

/** Read one catalogue file as a flat object of strings; anything else stops the start. */
function readCatalogueFile(dir: string, file: string): Record<string, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  } catch (error) {
    throw new Error(`content/locales/${file}: cannot be read as JSON (${(error as Error).message})`, { cause: error });
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || Object.values(raw).some((v) => typeof v !== 'string')) {
    throw new Error(`content/locales/${file}: must be an object of strings`);
  }
  return raw as Record<string, string>;
}

/**
 * Read every catalogue in <contentDir>/locales: <code>.json and its parts <code>.<part>.json are merged into one
 * language; a file that is not a flat object of strings, or a key defined in two files of one language, stops the start.
 */
export function loadLocales(contentDir = process.env.CONTENT_DIR || 'content'): void {
  const dir = join(contentDir, 'locales');
  const loaded = new Map<string, Map<string, string>>();
  const keyFile = new Map<string, string>();
  for (const file of readdirSync(dir).filter((f) => catalogueFileLanguage(f) !== undefined).sort()) {
    const code = catalogueFileLanguage(file)!;
    let catalogue = loaded.get(code);
    if (!catalogue) loaded.set(code, (catalogue = new Map()));
    for (const [key, text] of Object.entries(readCatalogueFile(dir, file))) {
      const earlier = keyFile.get(`${code}\u0000${key}`);
      if (earlier) throw new Error(`content/locales/${file}: key "${key}" is already defined in ${earlier} (a key belongs to one file of a language)`);
      keyFile.set(`${code}\u0000${key}`, file);
      catalogue.set(key, text);
    }
  }
  if (!loaded.has(DEFAULT_LANGUAGE)) throw new Error(`content/locales/${DEFAULT_LANGUAGE}.json is missing`);
  catalogues = loaded;
}

function all(): Map<string, Catalogue> {
  if (!catalogues) loadLocales();
  return catalogues!;
}

/** The keys of one language's catalogue (for completeness checks). */
export function catalogueKeys(lang: string): string[] {
  return [...(all().get(lang)?.keys() ?? [])];
}

/** The languages offered, each with its name in itself ("Cymraeg"), English first. */
export function availableLanguages(): { code: string; name: string }[] {
  const codes = [...all().keys()].sort((a, b) => (a === DEFAULT_LANGUAGE ? -1 : b === DEFAULT_LANGUAGE ? 1 : a.localeCompare(b)));
  return codes.map((code) => ({ code, name: all().get(code)!.get('language.name') ?? code }));
}

/** A language for staff, in English with its own name: "Welsh (Cymraeg)", "English" (`language.englishName` in its catalogue). */
export function describeLanguage(code: string): string {
  const catalogue = all().get(code);
  if (!catalogue) return code;
  const english = catalogue.get('language.englishName') ?? code;
  const own = catalogue.get('language.name');
  return own && own !== english ? `${english} (${own})` : english;
}

/** The language a code names, or the default language for anything unknown (or absent). */
export function resolveLanguage(code: string | null | undefined): string {
  return code && all().has(code) ? code : DEFAULT_LANGUAGE;
}

function fill(text: string, params: TranslateParams | undefined): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

function lookUp(lang: string, key: string, count: number | undefined): string | undefined {
  const catalogue = all().get(lang);
  if (!catalogue) return undefined;
  if (count !== undefined) {
    let rules = pluralRules.get(lang);
    if (!rules) pluralRules.set(lang, (rules = new Intl.PluralRules(lang)));
    const form = catalogue.get(`${key}.${rules.select(count)}`) ?? catalogue.get(`${key}.other`);
    if (form !== undefined) return form;
  }
  return catalogue.get(key);
}

/** The text of `key` in `lang` (else English, else the key itself), with `{name}` placeholders filled; a numeric `count` picks the plural form. */
export function translate(lang: string, key: string, params?: TranslateParams): string {
  const count = typeof params?.count === 'number' ? params.count : undefined;
  return fill(lookUp(lang, key, count) ?? lookUp(DEFAULT_LANGUAGE, key, count) ?? key, params);
}

/** The text of `key` in `lang` when that catalogue has it, else `english` (words kept as data elsewhere, such as questions and categories). */
export function translateOr(lang: string, key: string, english: string, params?: TranslateParams): string {
  const text = lang === DEFAULT_LANGUAGE ? undefined : all().get(lang)?.get(key);
  return fill(text ?? english, params);
}

/** A `t(key, params)` function for one language (what pages and components use). */
export function translator(lang: string): (key: string, params?: TranslateParams) => string {
  return (key, params) => translate(lang, key, params);
}
