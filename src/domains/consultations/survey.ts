/**
 * A consultation's survey as data: editors build a list of SurveyQuestion; each becomes one or more questions of
 * the question engine (src/platform/questions), which renders, validates and summarises them like every other form.
 */
import { z } from 'zod';
import { MAX_FORM_FIELDS } from '../../platform/forms/index.ts';
import type { Question, QuestionOption } from '../../platform/questions/index.ts';

/** The kinds of question an editor can add. */
export const SURVEY_TYPES = [
  { value: 'single', label: 'Single choice' },
  { value: 'multiple', label: 'Multiple choice' },
  { value: 'text', label: 'Free text, with a limit' },
  { value: 'rating', label: 'Rating scale' },
  { value: 'number', label: 'Number' },
  { value: 'date', label: 'Date' },
  { value: 'ward', label: 'Ward' },
  { value: 'ranking', label: 'Ranking' },
  { value: 'safety', label: 'How safe do you feel (in daylight and after dark, by ward)' },
] as const;

/** One kind of survey question. */
export type SurveyType = (typeof SURVEY_TYPES)[number]['value'];

/** Types whose options the editor types. */
export const TYPES_WITH_OPTIONS: readonly SurveyType[] = ['single', 'multiple', 'ranking'];

/** The answers of the standard safety question, safest first. */
export const SAFETY_OPTIONS: readonly QuestionOption[] = [
  { value: 'very-safe', label: 'Very safe' },
  { value: 'fairly-safe', label: 'Fairly safe' },
  { value: 'a-bit-unsafe', label: 'A bit unsafe' },
  { value: 'very-unsafe', label: 'Very unsafe' },
];

/** Age bands of the optional "about you" questions. */
export const AGE_BANDS: readonly QuestionOption[] = [
  { value: 'under-18', label: 'Under 18' },
  { value: '18-24', label: '18 to 24' },
  { value: '25-44', label: '25 to 44' },
  { value: '45-64', label: '45 to 64' },
  { value: '65-plus', label: '65 or over' },
  { value: 'not-say', label: 'Prefer not to say' },
];

/** The most sections a survey has (the question schema's section numbers). */
const MAX_SECTIONS = 20;

const surveyQuestionSchema = z.object({
  key: z.string().regex(/^q\d{1,3}$/),
  type: z.enum(SURVEY_TYPES.map((t) => t.value) as [SurveyType, ...SurveyType[]]),
  label: z.string().min(1).max(300),
  hint: z.string().max(500).optional(),
  required: z.boolean(),
  section: z.number().int().min(1).max(MAX_SECTIONS),
  options: z.array(z.object({ value: z.string(), label: z.string() })).optional(),
  max: z.number().int().min(1).max(5000).optional(),
  points: z.number().int().min(2).max(10).optional(),
  showWhen: z.object({ key: z.string(), in: z.array(z.string()).min(1) }).optional(),
});

/** One question as an editor built it. */
export type SurveyQuestion = z.infer<typeof surveyQuestionSchema>;

/** A stored survey read back (anything unreadable is dropped rather than trusted). */
export function readSurvey(stored: unknown): SurveyQuestion[] {
  if (!Array.isArray(stored)) return [];
  return stored.flatMap((q) => {
    const r = surveyQuestionSchema.safeParse(q);
    return r.success ? [r.data] : [];
  });
}

/** The next free key ("q1", "q2", …). */
export function nextQuestionKey(survey: readonly SurveyQuestion[]): string {
  const used = survey.map((q) => Number(q.key.slice(1)));
  return `q${Math.max(0, ...used) + 1}`;
}

/** The most characters the free-text answers of one section (one page) may allow between them: two 5,000-character answers and more. */
export const SECTION_TEXT_CHARACTERS = 12_000;

/**
 * The largest body one section's page can send, urlencoded: 9 bytes a character of free text (a 3-byte character
 * becomes %XX%XX%XX), so 108,000 for SECTION_TEXT_CHARACTERS; at most 200 bytes for each other field, name and value (a
 * number of 20 characters is 180), and a form has at most MAX_FORM_FIELDS (200) fields: 40,000; the form's own fields
 * (the button, the honeypot) well under 2 KB. 150,048 in all, under 160 KB. The server's body limit for the
 * consultation pages (src/server/body-limits.ts) and the section page's form reader both use this.
 */
export const SECTION_BODY_BYTES = 160 * 1024;

/** The largest body of the staff page that keys in a whole response (every section on one page): every section's worth. */
export const KEY_IN_BODY_BYTES = MAX_SECTIONS * SECTION_BODY_BYTES;

/** Why a section would allow more free text than one page can take, or null when every section fits. */
export function sectionTextProblem(survey: readonly SurveyQuestion[]): string | null {
  for (const section of surveySections(survey)) {
    const characters = survey.filter((q) => q.section === section && q.type === 'text').reduce((a, q) => a + (q.max ?? 1000), 0);
    if (characters > SECTION_TEXT_CHARACTERS) {
      return `The free-text answers of section ${section} would allow ${characters.toLocaleString('en-GB')} characters, but one page can take ${SECTION_TEXT_CHARACTERS.toLocaleString('en-GB')} at most: lower the longest answer, or put the question in another section`;
    }
  }
  return null;
}

/** The most options a single choice, multiple choice or ranking question has. */
export const MAX_OPTIONS = 20;

/** Fields a section's page sends besides its questions (the buttons, the honeypot), with room to spare. */
const PAGE_OWN_FIELDS = 10;

/** The most form fields one section's questions may send: what one page can take (MAX_FORM_FIELDS) less the page's own. */
export const SECTION_FIELDS = MAX_FORM_FIELDS - PAGE_OWN_FIELDS;

/**
 * The most form fields the staff page that keys in a whole response may take: every section's worth, the "about you"
 * questions and the page's own. The server's field limit for that page (src/server/body-limits.ts) is the same;
 * a unit test keeps the two equal.
 */
export const KEY_IN_FIELDS = MAX_SECTIONS * MAX_FORM_FIELDS;

/** The most form fields a question can send: one per option of a multiple choice or ranking question, three for a date or the safety question, else one. */
export function surveyQuestionFields(q: Pick<SurveyQuestion, 'type' | 'options'>): number {
  if (q.type === 'multiple' || q.type === 'ranking') return q.options?.length ?? 0;
  if (q.type === 'date' || q.type === 'safety') return 3;
  return 1;
}

/** Why a section would send more fields than one page can take, or null when every section fits. */
export function sectionFieldProblem(survey: readonly SurveyQuestion[]): string | null {
  for (const section of surveySections(survey)) {
    const fields = survey.filter((q) => q.section === section).reduce((a, q) => a + surveyQuestionFields(q), 0);
    if (fields > SECTION_FIELDS) {
      return `The questions of section ${section} would send up to ${fields} answers (a multiple choice or ranking question sends one for each option), but one page can take ${SECTION_FIELDS}: put the question in another section`;
    }
  }
  return null;
}

/** The sections in use, in order (1-based numbers). */
export function surveySections(survey: readonly SurveyQuestion[]): number[] {
  return [...new Set(survey.map((q) => q.section))].sort((a, b) => a - b);
}

/** The engine field keys of the safety question's parts. */
export function safetyKeys(key: string): { ward: string; day: string; dark: string } {
  return { ward: `${key}-ward`, day: `${key}-day`, dark: `${key}-dark` };
}

/** A ward option list from the partnership's wards. */
export type WardOptions = readonly QuestionOption[];

/** Turn one survey question into question-engine questions (the safety question is three). */
export function toEngineQuestions(q: SurveyQuestion, wards: WardOptions): Question[] {
  const page = String(q.section);
  const base = { key: q.key, label: q.label, hint: q.hint || undefined, page, showWhen: q.showWhen };
  const select = `Select an answer to: ${q.label}`;
  switch (q.type) {
    case 'single':
      return [{ ...base, type: 'choice', options: q.options ?? [], required: q.required ? select : undefined, invalid: select }];
    case 'multiple':
      return [{ ...base, type: 'multiple', options: q.options ?? [], required: q.required ? `Select at least one answer to: ${q.label}` : undefined, invalid: select }];
    case 'ranking':
      return [{ ...base, type: 'ranking', options: q.options ?? [], required: q.required ? `Rank the options for: ${q.label}` : undefined }];
    case 'text':
      // The limit is said once, by the character count under the box (Textarea with maxLength), not again in the hint.
      return [{ ...base, type: 'text', multiline: true, max: q.max ?? 1000, messageLabel: 'Your answer', required: q.required ? `Enter an answer to: ${q.label}` : undefined }];
    case 'rating':
      return [{ ...base, type: 'rating', points: q.points ?? 5, lowLabel: 'the lowest', highLabel: 'the highest', required: q.required ? select : undefined }];
    case 'number':
      return [{ ...base, type: 'number', messageLabel: 'Your answer', required: q.required ? `Enter a number for: ${q.label}` : undefined }];
    case 'date':
      return [{
        ...base, type: 'date', optional: !q.required,
        messages: {
          required: `Enter a date for: ${q.label}`, missingDay: 'The date must include a day', missingMonth: 'The date must include a month',
          missingYear: 'The date must include a year', real: 'The date must be a real date', tooEarly: 'The year must be 1900 or later',
        },
      }];
    case 'ward':
      return [{ ...base, type: 'choice', display: 'select', placeholder: 'Choose a ward', options: wards, required: q.required ? `Select a ward for: ${q.label}` : undefined, invalid: select }];
    case 'safety': {
      const keys = safetyKeys(q.key);
      const need = (words: string) => (q.required ? `Select how safe you feel ${words}` : undefined);
      return [
        { key: keys.ward, label: `${q.label}: which ward do you live in or know best?`, page, showWhen: q.showWhen, type: 'choice', display: 'select', placeholder: 'Choose a ward', options: wards, required: q.required ? 'Select the ward you live in or know best' : undefined, invalid: 'Select a ward from the list' },
        { key: keys.day, label: `${q.label}: in daylight`, page, showWhen: q.showWhen, type: 'choice', options: SAFETY_OPTIONS, required: need('in daylight'), invalid: 'Select an answer from the list' },
        { key: keys.dark, label: `${q.label}: after dark`, page, showWhen: q.showWhen, type: 'choice', options: SAFETY_OPTIONS, required: need('after dark'), invalid: 'Select an answer from the list' },
      ];
    }
  }
}

/** Every engine question of a survey, in order. */
export function engineQuestions(survey: readonly SurveyQuestion[], wards: WardOptions): Question[] {
  return [...survey].sort((a, b) => a.section - b.section).flatMap((q) => toEngineQuestions(q, wards));
}

/** The engine questions of one section. */
export function sectionQuestions(survey: readonly SurveyQuestion[], section: number, wards: WardOptions): Question[] {
  return engineQuestions(survey.filter((q) => q.section === section), wards);
}

/** The optional "about you" questions, kept apart from the answers. */
export function aboutYouQuestions(wards: WardOptions): Question[] {
  return [
    { key: 'ageBand', label: 'Your age', type: 'choice', options: AGE_BANDS, invalid: 'Select an age band from the list' },
    { key: 'wardId', label: 'The ward you live in', type: 'choice', display: 'select', placeholder: 'Choose a ward (optional)', options: wards, invalid: 'Select a ward from the list' },
  ];
}

/** How many options the editor typed (non-empty lines). */
export function optionLineCount(text: string): number {
  return text.split(/\r?\n/).filter((l) => l.trim()).length;
}

/** Options as the editor typed them, one per line, with values "1", "2", …. */
export function optionsFromLines(text: string): QuestionOption[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).slice(0, MAX_OPTIONS).map((label, i) => ({ value: String(i + 1), label }));
}

/** Questions an editor can make a later question depend on (single choice, rating, ward), with their answers. */
export function conditionChoices(survey: readonly SurveyQuestion[], wards: WardOptions): { value: string; label: string }[] {
  return survey.flatMap((q) => {
    const options = q.type === 'single' ? (q.options ?? []) : q.type === 'ward' ? wards : q.type === 'rating' ? Array.from({ length: q.points ?? 5 }, (_, i) => ({ value: String(i + 1), label: String(i + 1) })) : [];
    return options.map((o) => ({ value: `${q.key}:${o.value}`, label: `${q.key} "${q.label}" is ${o.label}` }));
  });
}

/** The survey with one question replaced by an edited version (same key). */
export function replaceQuestion(survey: readonly SurveyQuestion[], edited: SurveyQuestion): SurveyQuestion[] {
  return survey.map((q) => (q.key === edited.key ? edited : q));
}

/** The survey with a question moved one place up or down among the questions of its section, or null when it cannot move that way. */
export function moveQuestion(survey: readonly SurveyQuestion[], key: string, direction: 'up' | 'down'): SurveyQuestion[] | null {
  const at = survey.findIndex((q) => q.key === key);
  if (at < 0) return null;
  const sameSection = survey.map((q, i) => ({ q, i })).filter(({ q }) => q.section === survey[at]!.section).map(({ i }) => i);
  const to = sameSection[sameSection.indexOf(at) + (direction === 'up' ? -1 : 1)];
  if (to === undefined) return null;
  const moved = [...survey];
  [moved[at], moved[to]] = [moved[to]!, moved[at]!];
  return moved;
}

/** The survey in the order residents see it: by section, then as the editor arranged them. */
export function surveyInOrder(survey: readonly SurveyQuestion[]): SurveyQuestion[] {
  return [...survey].sort((a, b) => a.section - b.section);
}

/** Why the survey's conditions do not hold (each must name an answer of a question in an earlier section), or null when they do. */
/**
 * Why a change to a question's options would change what a later question's condition means, or null: options are
 * numbered in order, so taking one out or reordering them would make "shown when q1 is No" read "when q1 is Sometimes".
 */
export function conditionMeaningProblem(before: readonly SurveyQuestion[], after: readonly SurveyQuestion[]): string | null {
  const label = (survey: readonly SurveyQuestion[], key: string, value: string) => survey.find((p) => p.key === key)?.options?.find((o) => o.value === value)?.label;
  for (const q of after) {
    if (!q.showWhen) continue;
    for (const value of q.showWhen.in) {
      const was = label(before, q.showWhen.key, value);
      const now = label(after, q.showWhen.key, value);
      if (was !== undefined && now !== undefined && was !== now) {
        return `${q.key} is shown only when ${q.showWhen.key} is “${was}”, which this change would make “${now}”: change ${q.key}'s condition first, or keep that option where it is`;
      }
    }
  }
  return null;
}

export function conditionProblem(survey: readonly SurveyQuestion[], wards: WardOptions): string | null {
  const choices = new Set(conditionChoices(survey, wards).map((c) => c.value));
  for (const q of survey) {
    if (!q.showWhen) continue;
    const parent = survey.find((p) => p.key === q.showWhen!.key);
    if (!parent || parent.section >= q.section) return `${q.key} is shown only after an answer to ${q.showWhen.key}, so it must be in a later section than ${q.showWhen.key}`;
    if (!q.showWhen.in.every((v) => choices.has(`${parent.key}:${v}`))) return `${q.key} is shown only after an answer that ${q.showWhen.key} no longer offers: change or remove ${q.key} first`;
  }
  return null;
}
