/**
 * Questions in another language: each question's words looked up in the translation catalogues under
 * `<prefix>.<id>.<field>` (`q.danger.label`, `q.danger.option.yes`, `q.when.messages.real`…), keeping the
 * English in the question data when a catalogue has no entry. The id is the question's key, followed by its
 * `showWhen` values when two questions share a key (`q.whenText.approx`). Variants (the call screen's words)
 * stay as they are.
 */
import { DEFAULT_LANGUAGE, translateOr } from '../i18n/index.ts';
import type { Question } from './types.ts';

/** The catalogue id of each question (its key, made unique by its `showWhen` values when needed). */
export function questionIds(questions: readonly Question[]): string[] {
  return questions.map((q) => (questions.filter((x) => x.key === q.key).length > 1 && q.showWhen ? `${q.key}.${q.showWhen.in.join('-')}` : q.key));
}

/** Every translatable field of a question as [catalogue key suffix, English words]. */
export function questionWords(q: Question): [string, string][] {
  const words: [string, string | undefined][] = [['label', q.label], ['hint', q.hint]];
  if ('required' in q) words.push(['required', q.required]);
  if ('invalid' in q) words.push(['invalid', q.invalid]);
  if ('placeholder' in q) words.push(['placeholder', q.placeholder]);
  if ('messageLabel' in q) words.push(['messageLabel', q.messageLabel]);
  if (q.type === 'text') words.push(['min', q.min?.message]);
  if (q.type === 'date') for (const [name, text] of Object.entries(q.messages)) words.push([`messages.${name}`, text]);
  if (q.type === 'rating') words.push(['lowLabel', q.lowLabel], ['highLabel', q.highLabel]);
  if (q.summary) words.push(['summary', q.summary.key], ['change', q.summary.change]);
  if ('options' in q) {
    for (const o of q.options) words.push([`option.${o.value}`, o.label], [`option.${o.value}.hint`, o.hint], [`option.${o.value}.divider`, o.divider]);
  }
  return words.filter((w): w is [string, string] => typeof w[1] === 'string' && w[1] !== '');
}

/** The questions with their words in `lang` (the same objects for English). */
export function localiseQuestions(questions: readonly Question[], lang: string, prefix = 'q'): Question[] {
  if (lang === DEFAULT_LANGUAGE) return [...questions];
  const ids = questionIds(questions);
  return questions.map((q, i) => {
    const say = (field: string, english: string | undefined) => (english ? translateOr(lang, `${prefix}.${ids[i]}.${field}`, english) : english);
    const out = { ...q, label: say('label', q.label)!, hint: say('hint', q.hint) } as Question & Record<string, unknown>;
    for (const field of ['required', 'invalid', 'placeholder', 'messageLabel', 'lowLabel', 'highLabel'] as const) {
      if (field in q) out[field] = say(field, (q as unknown as Record<string, string | undefined>)[field]);
    }
    if (q.type === 'text' && q.min) out.min = { ...q.min, message: say('min', q.min.message)! };
    if (q.type === 'date') out.messages = Object.fromEntries(Object.entries(q.messages).map(([name, text]) => [name, say(`messages.${name}`, text)]));
    if (q.summary) out.summary = { ...q.summary, key: say('summary', q.summary.key)!, change: say('change', q.summary.change) };
    if ('options' in q) {
      out.options = q.options.map((o) => ({ ...o, label: say(`option.${o.value}`, o.label)!, hint: say(`option.${o.value}.hint`, o.hint), divider: say(`option.${o.value}.divider`, o.divider) }));
    }
    return out;
  });
}
