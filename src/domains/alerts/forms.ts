/** The subscribe form as question-engine data: an e-mail address and a ward or district. */
import { parseEmailAddress } from '../../platform/mail/address.ts';
import type { ParsedText, Question, QuestionOption } from '../../platform/questions/index.ts';
import type { Area } from '../../platform/config/partnership.ts';

/** Check and normalise an e-mail address (lower-cased). */
function parseAlertEmail(value: string): ParsedText {
  const address = parseEmailAddress(value);
  return address ? { ok: true, value: address.toLowerCase() } : { ok: false, message: 'Enter an e-mail address in the correct format, like name@example.com' };
}

/** The areas one can subscribe to, as options: each district (its wards included), then its wards. */
export function alertAreaOptions(areas: readonly Area[]): QuestionOption[] {
  return areas.filter((a) => a.kind === 'district').flatMap((d) => [
    { value: d.id, label: `${d.name} (the whole district)` },
    ...areas.filter((w) => w.kind === 'ward' && w.parent === d.id).map((w) => ({ value: w.id, label: `${w.name}, ${d.name}` })),
  ]);
}

/** The subscribe form's questions. */
export function subscribeQuestions(options: readonly QuestionOption[]): Question[] {
  return [
    { key: 'area', label: 'Which area do you want to hear about?', hint: 'A district includes all its wards', type: 'choice', display: 'select', placeholder: 'Choose a ward or district', options, required: 'Select a ward or district' },
    { key: 'email', label: 'E-mail address', hint: 'We send one e-mail to confirm it is yours, then a weekly e-mail when there is news', type: 'text', messageLabel: 'E-mail address', max: 254, input: 'email', autocomplete: 'email', spellcheck: false, parse: parseAlertEmail, required: 'Enter your e-mail address' },
  ];
}
