/**
 * Building one zod schema for a set of questions from the platform/forms field helpers. The schema reads a
 * form's values (formValues) and gives the answers by key; errors name the form field, in question order,
 * so validateForm turns them into the error summary. Questions hidden by `showWhen` are neither read nor
 * required.
 */
import { londonTime } from '../time/london.ts';
import { z } from 'zod';
import { choice, choices, optionalChoice, text } from '../forms/index.ts';
import { translate } from '../i18n/index.ts';
import type { Answers, DateAnswer, DateMessages, DateQuestion, Question, RankingQuestion } from './types.ts';

/** The form field a question is read from. */
export function fieldName(q: Question): string {
  return q.name ?? q.key;
}

/** True when a question is asked, given the answers so far. */
export function isShown(q: Question, answers: Readonly<Answers>): boolean {
  if (!q.showWhen) return true;
  const v = answers[q.showWhen.key];
  return typeof v === 'string' && q.showWhen.in.includes(v);
}

/** The questions asked, given the answers so far (each question sees the answers before it). */
export function shownQuestions(questions: readonly Question[], answers: Readonly<Answers>): Question[] {
  return questions.filter((q) => isShown(q, answers));
}

/** The questions on one page, in order. */
export function questionsOnPage(questions: readonly Question[], page: string): Question[] {
  return questions.filter((q) => q.page === page);
}

/** One part of a date question's answer. */
export type DatePart = 'day' | 'month' | 'year' | 'time';

/** A time as typed ("21:30", "21.30", "9pm", "9.30 pm", "12am") as 24-hour "HH:MM", or null when it is not one. */
export function readTime(input: string): string | null {
  const t = /^(\d{1,2})(?:[:.](\d{2}))?(?:\s*([ap])\.?\s*m\.?)?$/i.exec(input.trim());
  if (!t) return null;
  let hours = Number(t[1]);
  const minutes = t[2] === undefined ? 0 : Number(t[2]);
  const half = t[3]?.toLowerCase();
  if (minutes > 59) return null;
  if (half) {
    if (hours < 1 || hours > 12) return null;
    hours = (hours % 12) + (half === 'p' ? 12 : 0);
  } else if (t[2] === undefined || hours > 23) return null;
  return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
}

/** "a day and month", "a month and year", "a day, month and year": the parts missing, as the GOV.UK date pattern names them. */
function nameMissing(parts: readonly DatePart[]): string {
  const words = parts.map((p) => p as string);
  return `a ${words.length > 1 ? `${words.slice(0, -1).join(', ')} and ${words.at(-1)}` : words[0]}`;
}

/**
 * Read a day/month/year (and optional time, else midday) in UK local time: epoch ms, or the message and the
 * parts it is about (in page order: the first is where the error summary links), as the GOV.UK date pattern says.
 */
export function readUkDate(parts: { day: string; month: string; year: string; time: string }, m: DateMessages, now: number): number | { parts: DatePart[]; message: string } {
  const { day, month, year, time } = parts;
  const all: DatePart[] = ['day', 'month', 'year'];
  if (!day && !month && !year) return { parts: all, message: m.required };
  const missing = all.filter((p) => !parts[p]);
  if (missing.length > 0) {
    const first = { day: m.missingDay, month: m.missingMonth, year: m.missingYear }[missing[0] as 'day' | 'month' | 'year'];
    // "… must include a day" names more parts when more are missing; other wordings keep the first part's message.
    return { parts: missing, message: missing.length > 1 && /a day$/.test(m.missingDay) ? m.missingDay.replace(/a day$/, nameMissing(missing)) : first };
  }
  const d = Number(day);
  const mo = Number(month);
  const y = Number(year);
  const wrong = all.filter((p) => {
    if (p === 'day') return !/^\d{1,2}$/.test(day) || d < 1 || d > 31;
    if (p === 'month') return !/^\d{1,2}$/.test(month) || mo < 1 || mo > 12;
    return !/^\d{4}$/.test(year);
  });
  if (wrong.length > 0) return { parts: wrong, message: m.real };
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) return { parts: ['day'], message: m.real };
  let hours = 12;
  let minutes = 0;
  if (time) {
    const hhmm = readTime(time);
    if (!hhmm) return { parts: ['time'], message: m.time ?? m.real };
    hours = Number(hhmm.slice(0, 2));
    minutes = Number(hhmm.slice(3));
  }
  const at = londonTime(y, mo, d, hours + minutes / 60);
  if (m.future && at > now + 5 * 60_000) return { parts: all, message: m.future };
  if (y < 1900) return { parts: ['year'], message: m.tooEarly };
  return at;
}

/** A failure while reading one question: the form field it is about and the message. */
interface Failure {
  field: string;
  message: string;
}

function firstMessage(error: z.ZodError, lang = 'en'): string {
  return error.issues[0]?.message ?? translate(lang, 'form.checkAnswer');
}

function readDateQuestion(q: DateQuestion, input: Readonly<Record<string, unknown>>, now: number, lang = 'en'): { value: DateAnswer | undefined } | Failure {
  const name = fieldName(q);
  const parts = { day: '', month: '', year: '', time: '' };
  for (const part of ['day', 'month', 'year', 'time'] as const) {
    if (part === 'time' && !q.time) continue;
    const label = translate(lang, `date.${part}`);
    const r = text({ label, max: part === 'year' ? 4 : part === 'time' ? 10 : 2, lang }).safeParse(input[`${name}-${part}`]);
    if (!r.success) return { field: `${name}-${part}`, message: firstMessage(r.error, lang) };
    parts[part] = r.data;
  }
  if (q.optional && !parts.day && !parts.month && !parts.year && !parts.time) return { value: undefined };
  const at = readUkDate(parts, q.messages, now);
  if (typeof at !== 'number') return { field: `${name}-${at.parts[0]}`, message: at.message };
  return { value: { ...parts, time: parts.time ? readTime(parts.time)! : '', at } };
}

/** The form field of one option of a ranking question. */
export function rankField(q: RankingQuestion, value: string): string {
  return `${fieldName(q)}-${value}`;
}

/** Read a ranking: the option values in rank order, or the failure (every option needs a different rank once any is ranked). */
function readRankingQuestion(q: RankingQuestion, input: Readonly<Record<string, unknown>>): { value: string[] | undefined } | Failure {
  const n = q.options.length;
  const ranks = q.options.map((o) => ({ value: o.value, raw: input[rankField(q, o.value)] }));
  const first = rankField(q, q.options[0]!.value);
  const given = ranks.filter((r) => typeof r.raw === 'string' && r.raw !== '');
  if (given.length === 0) return q.required ? { field: first, message: q.required } : { value: undefined };
  const numbers = ranks.map((r) => (typeof r.raw === 'string' && /^\d{1,2}$/.test(r.raw) ? Number(r.raw) : NaN));
  const bad = ranks.findIndex((_, i) => !(numbers[i]! >= 1 && numbers[i]! <= n) || numbers.indexOf(numbers[i]!) !== i);
  if (bad >= 0) return { field: rankField(q, q.options[bad]!.value), message: `Give each option a different rank from 1 to ${n}` };
  return { value: ranks.map((r, i) => ({ value: r.value, rank: numbers[i]! })).sort((a, b) => a.rank - b.rank).map((r) => r.value) };
}

/** The zod schema of one single-field question (not a date or a ranking); `lang` is the language of the helpers' own messages. */
export function fieldSchema(q: Exclude<Question, DateQuestion | RankingQuestion>, lang = 'en'): z.ZodType<unknown> {
  switch (q.type) {
    case 'number':
      return text({ label: q.messageLabel, max: 20, required: q.required, lang }).transform((value, ctx): number | undefined => {
        if (!value) return undefined;
        const n = Number(value.replace(/,/g, ''));
        if (!/^-?[\d,]*\.?\d+$/.test(value) || !Number.isFinite(n)) {
          ctx.addIssue({ code: 'custom', message: `${q.messageLabel} must be a number` });
          return z.NEVER;
        }
        if (q.whole && !Number.isInteger(n)) {
          ctx.addIssue({ code: 'custom', message: `${q.messageLabel} must be a whole number` });
          return z.NEVER;
        }
        if ((q.min !== undefined && n < q.min) || (q.max !== undefined && n > q.max)) {
          ctx.addIssue({ code: 'custom', message: `${q.messageLabel} must be between ${q.min ?? 'any'} and ${q.max ?? 'any'}` });
          return z.NEVER;
        }
        return n;
      });
    case 'choice': {
      const values = q.options.map((o) => o.value);
      return q.required ? choice(values, q.required) : optionalChoice(values, q.invalid ?? `Select ${q.label.toLowerCase()}`);
    }
    case 'multiple':
      return choices(q.options.map((o) => o.value), q.invalid).superRefine((list, ctx) => {
        if (q.required && list.length === 0) ctx.addIssue({ code: 'custom', message: q.required });
      });
    case 'rating': {
      const values = Array.from({ length: q.points }, (_, i) => String(i + 1));
      return q.required ? choice(values, q.required) : optionalChoice(values, q.required ?? `Select a number from 1 to ${q.points}`);
    }
    case 'text':
      return text({ label: q.messageLabel, max: q.max, required: q.required, multiline: q.multiline, lang }).transform((value, ctx): string => {
        if (!value) return value;
        if (q.min && value.length < q.min.length) {
          ctx.addIssue({ code: 'custom', message: q.min.message });
          return z.NEVER;
        }
        if (q.parse) {
          const parsed = q.parse(value);
          if (!parsed.ok) {
            ctx.addIssue({ code: 'custom', message: parsed.message });
            return z.NEVER;
          }
          return parsed.value;
        }
        return value;
      });
  }
}

/** Checks across questions, run after each question is read: `fail` records a message for a field. */
export type CrossCheck = (answers: Answers, tools: { fail: (field: string, message: string) => void; failed: (field: string) => boolean }) => void;

/** How a question set is read. */
export interface SchemaOptions {
  /** Answers given earlier (other pages), for `showWhen`. */
  earlier?: Readonly<Answers>;
  /** Checks across questions (e.g. "an e-mail address or a phone number"). */
  checks?: readonly CrossCheck[];
  /** The time dates are checked against (default: when parsed). */
  now?: number;
  /** The language of the engine's own messages (the questions' messages are already in theirs: localiseQuestions). */
  lang?: string;
}

/**
 * The schema for a set of questions: reads each shown question from the form values, then the cross-checks.
 * The output holds only the questions asked; failures are issues whose path is the form field.
 */
export function buildQuestionSchema(questions: readonly Question[], options: SchemaOptions = {}): z.ZodType<Answers, Record<string, unknown>> {
  return z.record(z.string(), z.unknown()).transform((input, ctx): Answers => {
    const answers: Answers = {};
    const failures: Failure[] = [];
    const now = options.now ?? Date.now();
    for (const q of questions) {
      if (!isShown(q, { ...options.earlier, ...answers })) continue;
      if (q.type === 'date') {
        const r = readDateQuestion(q, input, now, options.lang);
        if (!('value' in r)) failures.push(r);
        else if (r.value) answers[q.key] = r.value;
        continue;
      }
      if (q.type === 'ranking') {
        const r = readRankingQuestion(q, input);
        if (!('value' in r)) failures.push(r);
        else if (r.value) answers[q.key] = r.value;
        continue;
      }
      const r = fieldSchema(q, options.lang).safeParse(input[fieldName(q)]);
      if (r.success) {
        if (r.data !== undefined) answers[q.key] = r.data;
      } else failures.push({ field: fieldName(q), message: firstMessage(r.error, options.lang) });
    }
    const failed = (field: string) => failures.some((f) => f.field === field);
    const fail = (field: string, message: string) => {
      if (!failed(field)) failures.push({ field, message });
    };
    for (const check of options.checks ?? []) check(answers, { fail, failed });
    // Messages in the order the questions are asked (the error summary follows the page).
    const order = (field: string) => {
      const i = questions.findIndex((q) => fieldName(q) === field || ((q.type === 'date' || q.type === 'ranking') && field.startsWith(`${fieldName(q)}-`)));
      return i < 0 ? questions.length : i;
    };
    failures.sort((x, y) => order(x.field) - order(y.field));
    for (const f of failures) ctx.addIssue({ code: 'custom', message: f.message, path: [f.field] });
    return answers;
  });
}

/** Answers given back as the form values that would give them (to show a saved answer on its page again). */
export function answersToValues(questions: readonly Question[], answers: Readonly<Answers>): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = {};
  for (const q of questions) {
    const v = answers[q.key];
    if (v === undefined || v === null) continue;
    const name = fieldName(q);
    if (q.type === 'date') {
      const d = v as DateAnswer;
      Object.assign(values, { [`${name}-day`]: d.day, [`${name}-month`]: d.month, [`${name}-year`]: d.year, [`${name}-time`]: d.time });
    } else if (q.type === 'ranking') {
      (v as string[]).forEach((value, i) => (values[rankField(q, value)] = String(i + 1)));
    } else if (Array.isArray(v)) values[name] = v.map(String);
    else values[name] = String(v);
  }
  return values;
}
