/** Answers as summary rows {key, value} for check-answers pages and case pages. */
import { formatDate, formatTime } from '../time/london.ts';
import { isShown } from './schema.ts';
import type { Answers, DateAnswer, Question } from './types.ts';

/** One summary row. */
export interface AnswerRow {
  key: string;
  value: string;
  /** The question the row is about (for change links). */
  question: string;
  /** The page the question is on. */
  page?: string;
  /** Words for a visually hidden "Change …" link. */
  change?: string;
}

/** The default words for an answer: an option's label, the text typed, the date, or "" when not answered. */
export function describeAnswer(q: Question, value: unknown): string {
  if (value === undefined || value === null || value === '') return '';
  switch (q.type) {
    case 'choice':
      return q.options.find((o) => o.value === value)?.label ?? String(value);
    case 'multiple':
      return (Array.isArray(value) ? value : [value]).map((v) => q.options.find((o) => o.value === v)?.label ?? String(v)).join(', ');
    case 'rating':
      return `${String(value)} out of ${q.points}`;
    case 'date': {
      const d = value as DateAnswer;
      return formatDate(d.at) + (d.time ? `, ${formatTime(d.at)}` : '');
    }
    case 'text':
      return String(value);
    case 'number':
      return String(value);
    case 'ranking':
      return (Array.isArray(value) ? value : [value]).map((v, i) => `${i + 1}. ${q.options.find((o) => o.value === v)?.label ?? String(v)}`).join(', ');
  }
}

/** Summary rows for the questions asked, in order; questions with `summary: false` are left out. */
export function summariseAnswers(questions: readonly Question[], answers: Readonly<Answers>): AnswerRow[] {
  const rows: AnswerRow[] = [];
  for (const q of questions) {
    if (q.summary === false || !isShown(q, answers)) continue;
    const value = q.summary?.format ? q.summary.format(answers[q.key], answers) : describeAnswer(q, answers[q.key]);
    rows.push({ key: q.summary?.key ?? q.label, value, question: q.key, page: q.page, change: q.summary?.change });
  }
  return rows;
}
