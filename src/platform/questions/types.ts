/**
 * Questions as data: what a form asks, in what order, on which page, when, and how each answer is checked
 * and summarised. The report journey and the call screen use it today; consultation surveys reuse it.
 */

/** One option of a choice question. */
export interface QuestionOption {
  value: string;
  label: string;
  hint?: string;
  /** A divider ("or") shown before this option. */
  divider?: string;
}

/** Show a question only when an earlier answer is one of these values. */
export interface ShowWhen {
  key: string;
  in: readonly string[];
}

/** The result of parsing a typed answer: the value kept, or the message to show. */
export type ParsedText = { ok: true; value: string } | { ok: false; message: string };

/** How an answer appears in a summary (check answers, case pages). */
export interface SummarySpec {
  /** The row's key, e.g. "What happened". */
  key: string;
  /** The row's value; by default the option label or the text typed. */
  format?: (value: unknown, answers: Readonly<Record<string, unknown>>) => string;
  /** Words for a visually hidden "Change …" link. */
  change?: string;
}

/** What every question has. */
interface QuestionBase {
  /** The answer's key (and, unless `name` says otherwise, the form field's name). */
  key: string;
  /** The form field's name when it differs from the key. */
  name?: string;
  /** The label or legend. */
  label: string;
  hint?: string;
  /** The page or section the question is on (a journey step, a survey section). */
  page?: string;
  showWhen?: ShowWhen;
  /** Summary row; false leaves the question out of summaries. */
  summary?: SummarySpec | false;
  /** Different words for another audience (e.g. "call" for the call screen): same checks, same messages. */
  variants?: Record<string, { label?: string; hint?: string; display?: 'radios' | 'select' }>;
}

/** One answer from a list: radios or a select (a ward list, a category list). */
export interface ChoiceQuestion extends QuestionBase {
  type: 'choice';
  options: readonly QuestionOption[];
  /** The message when nothing (or something unknown) is chosen; omit for an optional question. */
  required?: string;
  /** The message for an unknown value of an optional question. */
  invalid?: string;
  display?: 'radios' | 'select';
  inline?: boolean;
  /** The select's first, empty option. */
  placeholder?: string;
}

/** Zero or more answers from a list (checkboxes). */
export interface MultipleChoiceQuestion extends QuestionBase {
  type: 'multiple';
  options: readonly QuestionOption[];
  /** The message when nothing is ticked; omit for an optional question. */
  required?: string;
  invalid: string;
}

/** Typed text, one line or several, with a limit. */
export interface TextQuestion extends QuestionBase {
  type: 'text';
  /** What the answer is called in messages, e.g. "What happened". */
  messageLabel: string;
  max: number;
  /** A shortest length, with its message. */
  min?: { length: number; message: string };
  /** The message when empty; omit for an optional question. */
  required?: string;
  multiline?: boolean;
  /** Checks and normalises a non-empty answer (an e-mail address, a phone number, a postcode). */
  parse?: (value: string) => ParsedText;
  input?: 'text' | 'email' | 'tel';
  autocomplete?: string;
  width?: '2' | '3' | '4' | '5' | '10' | '20' | 'full';
  rows?: number;
  spellcheck?: boolean;
}

/** The messages of a date question, in GOV.UK words. */
export interface DateMessages {
  required: string;
  missingDay: string;
  missingMonth: string;
  missingYear: string;
  real: string;
  /** When the date is after now. */
  future?: string;
  /** When the year is before 1900. */
  tooEarly: string;
  time?: string;
}

/** A day, month and year (and, with `time`, an optional HH:MM) in UK local time. */
export interface DateQuestion extends QuestionBase {
  type: 'date';
  time?: boolean;
  /** Leaving every part empty is an answer of nothing (not the `required` message). */
  optional?: boolean;
  messages: DateMessages;
}

/** A rating scale from 1 to `points`, with words for its ends. */
export interface RatingQuestion extends QuestionBase {
  type: 'rating';
  points: number;
  lowLabel: string;
  highLabel: string;
  required?: string;
}

/** A number typed in a box, optionally whole and between limits. */
export interface NumberQuestion extends QuestionBase {
  type: 'number';
  /** What the answer is called in messages, e.g. "How many years". */
  messageLabel: string;
  min?: number;
  max?: number;
  /** Only whole numbers. */
  whole?: boolean;
  required?: string;
}

/** Options put in order: one select per option, each a distinct rank from 1 to the number of options. */
export interface RankingQuestion extends QuestionBase {
  type: 'ranking';
  options: readonly QuestionOption[];
  /** The message when nothing is ranked; omit for an optional question. */
  required?: string;
}

/** Any question. */
export type Question = ChoiceQuestion | MultipleChoiceQuestion | TextQuestion | DateQuestion | RatingQuestion | NumberQuestion | RankingQuestion;

/** A date answer: the parts typed and the moment they mean (epoch ms). */
export interface DateAnswer {
  day: string;
  month: string;
  year: string;
  time: string;
  at: number;
}

/** Answers by question key. */
export type Answers = Record<string, unknown>;
