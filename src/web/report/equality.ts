/** The optional equality questions in the request's language (`equality.<name>.legend`, `equality.<name>.option.<value>` keys; English otherwise). */
import { EQUALITY_QUESTIONS } from '../../domains/reports/index.ts';
import { translateOr } from '../../platform/i18n/index.ts';

/** The equality questions with their words in `lang`. */
export function equalityQuestionsIn(lang: string): { name: string; legend: string; options: { value: string; label: string }[] }[] {
  return EQUALITY_QUESTIONS.map((q) => ({
    name: q.name,
    legend: translateOr(lang, `equality.${q.name}.legend`, q.legend),
    options: q.options.map((o) => ({ value: o.value, label: translateOr(lang, `equality.${q.name}.option.${o.value}`, o.label) })),
  }));
}
