/** The translation catalogues and the i18n module: completeness, fallback to English, placeholders, plurals, new languages as files. */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { availableLanguages, catalogueKeys, loadLocales, resolveLanguage, translate, translateOr } from '../../src/platform/i18n/index.ts';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';
import { EQUALITY_QUESTIONS, reportQuestions } from '../../src/domains/reports/index.ts';
import { questionIds, questionWords } from '../../src/platform/questions/index.ts';
import { describeWait } from '../../src/platform/security/rate-limit.ts';

after(() => loadLocales('content'));

test('Welsh has every English key, and every other catalogue only keys English has', () => {
  loadLocales('content');
  // Plural forms differ by language (Welsh has six, English two): keys are compared without them.
  const base = (k: string) => k.replace(/\.(zero|one|two|few|many|other)$/, '');
  const english = new Set(catalogueKeys('en').map(base));
  const welsh = new Set(catalogueKeys('cy').map(base));
  assert.deepEqual([...english].filter((k) => !welsh.has(k)), [], 'keys missing from cy.json');
  for (const { code } of availableLanguages()) {
    if (code === 'en') continue;
    // Derived keys translate words kept as data elsewhere (questions, categories, phone words, targets): English keeps them there.
    const extra = catalogueKeys(code).filter((k) => !english.has(base(k)) && !/^(q|category|partnership|targets|report\.message|equality\.(age|sex|disability|ethnicity))\./.test(k));
    assert.deepEqual(extra, [], `${code}.json keys that en.json does not have`);
  }
});

test('Welsh translates every word of the report questions, the categories and the equality questions; Polish the questions and categories', () => {
  loadLocales('content');
  const config = loadSiteConfig('content');
  const questions = reportQuestions(config);
  const ids = questionIds(questions);
  const wanted = questions.flatMap((q, i) =>
    questionWords(q)
      // Category options are the categories' own words (category.<id>.*); ward names are place names.
      .filter(([field]) => !((q.key === 'category' && /^option\.[^.]+(\.hint)?$/.test(field)) || (q.key === 'ward' && field.startsWith('option.'))))
      .map(([field]) => `q.${ids[i]}.${field}`));
  wanted.push(...config.categories.flatMap((c) => [`category.${c.id}.name`, ...(c.hint ? [`category.${c.id}.hint`] : [])]));
  assert.ok(wanted.length > 100, `${wanted.length} words`);
  const polish = new Set(catalogueKeys('pl'));
  assert.deepEqual(wanted.filter((k) => !polish.has(k)), [], 'report words missing from pl.json');
  wanted.push(...EQUALITY_QUESTIONS.flatMap((q) => [`equality.${q.name}.legend`, ...q.options.map((o) => `equality.${q.name}.option.${o.value}`)]));
  const welsh = new Set(catalogueKeys('cy'));
  assert.deepEqual(wanted.filter((k) => !welsh.has(k)), [], 'report words missing from cy.json');
  const cy = reportQuestions(config, 'cy');
  assert.equal(cy.find((q) => q.key === 'danger')!.label, 'A oes unrhyw un mewn perygl ar hyn o bryd?');
  const category = cy.find((q) => q.key === 'category');
  assert.ok(category?.type === 'choice');
  assert.equal(category.options.find((o) => o.value === 'noise')!.label, 'Niwsans sŵn');
  assert.equal(reportQuestions(config).find((q) => q.key === 'danger')!.label, 'Is anyone in danger right now?', 'English unchanged');
});

test('every catalogue names its language in itself, English first', () => {
  loadLocales('content');
  const languages = availableLanguages();
  assert.equal(languages[0]!.code, 'en');
  assert.deepEqual(languages.slice(0, 2), [{ code: 'en', name: 'English' }, { code: 'cy', name: 'Cymraeg' }]);
});

test('translate fills placeholders, falls back to English, then to the key; unknown codes resolve to English', () => {
  loadLocales('content');
  assert.equal(translate('en', 'form.tooLong', { label: 'Your name', max: 120 }), 'Your name must be 120 characters or fewer');
  assert.equal(translate('cy', 'form.tooLong', { label: 'Eich enw', max: 120 }), "Rhaid i 'Eich enw' fod yn 120 o nodau neu lai");
  assert.equal(translate('cy', 'errorSummary.title'), 'Mae problem');
  assert.equal(translate('zz', 'errorSummary.title'), 'There is a problem');
  assert.equal(translate('cy', 'no.such.key'), 'no.such.key');
  assert.equal(translateOr('en', 'category.noise.name', 'Noise nuisance'), 'Noise nuisance');
  assert.equal(translateOr('cy', 'category.no-such.name', 'Something'), 'Something');
  assert.equal(resolveLanguage('cy'), 'cy');
  assert.equal(resolveLanguage('xx'), 'en');
  assert.equal(resolveLanguage(undefined), 'en');
  assert.equal(describeWait(5 * 60_000, 'cy'), '5 munud');
  assert.equal(describeWait(5 * 60_000, 'pl'), '5 minut');
  assert.equal(describeWait(2 * 60_000, 'pl'), '2 minuty');
  assert.equal(describeWait(5 * 60_000), '5 minutes');
});

test('a new language is a file: it appears in the switch, translates its keys, falls back for the rest, and picks plural forms', () => {
  const dir = mkdtempSync(join(tmpdir(), 'saferline-locales-'));
  try {
    cpSync('content/locales', join(dir, 'locales'), { recursive: true });
    writeFileSync(join(dir, 'locales', 'ga.json'), JSON.stringify({ 'language.name': 'Gaeilge', back: 'Siar', 'test.items.one': '{count} mhír', 'test.items.two': '{count} mhír (dhá)', 'test.items.other': '{count} mír' }));
    loadLocales(dir);
    assert.ok(availableLanguages().some((l) => l.code === 'ga' && l.name === 'Gaeilge'));
    assert.equal(resolveLanguage('ga'), 'ga');
    assert.equal(translate('ga', 'back'), 'Siar');
    assert.equal(translate('ga', 'errorSummary.title'), 'There is a problem');
    assert.equal(translate('ga', 'test.items', { count: 1 }), '1 mhír');
    assert.equal(translate('ga', 'test.items', { count: 2 }), '2 mhír (dhá)');
    assert.equal(translate('ga', 'test.items', { count: 20 }), '20 mír');
    writeFileSync(join(dir, 'locales', 'ga.json'), '{"back": 3}');
    assert.throws(() => loadLocales(dir), /ga\.json: must be an object of strings/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('part files <code>.<part>.json merge into their language; a key defined in two files of one language stops the start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'saferline-locales-'));
  try {
    cpSync('content/locales', join(dir, 'locales'), { recursive: true });
    writeFileSync(join(dir, 'locales', 'en.extra.json'), JSON.stringify({ 'extra.hello': 'Hello' }));
    writeFileSync(join(dir, 'locales', 'cy.extra.json'), JSON.stringify({ 'extra.hello': 'Helo' }));
    loadLocales(dir);
    assert.equal(translate('cy', 'extra.hello'), 'Helo');
    assert.equal(translate('en', 'extra.hello'), 'Hello');
    assert.equal(translate('cy', 'errorSummary.title'), 'Mae problem', 'the main file still counts');
    assert.ok(catalogueKeys('cy').includes('extra.hello'), 'completeness checks see the parts');
    assert.ok(!availableLanguages().some((l) => l.code.includes('.')), 'a part is not a language');
    writeFileSync(join(dir, 'locales', 'cy.other.json'), JSON.stringify({ 'extra.hello': 'Shwmae' }));
    assert.throws(() => loadLocales(dir), /cy\.other\.json: key "extra\.hello" is already defined in cy\.extra\.json/);
    rmSync(join(dir, 'locales', 'cy.other.json'));
    writeFileSync(join(dir, 'locales', 'cy.extra.json'), JSON.stringify({ 'errorSummary.title': 'Mae problem' }));
    assert.throws(() => loadLocales(dir), /cy\.json: key "errorSummary\.title" is already defined in cy\.extra\.json/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
