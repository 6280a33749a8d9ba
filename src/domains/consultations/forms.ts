/**
 * The staff and resident forms around a survey, as question-engine data too: consultation details, the
 * survey builder's "add a question", meetings, registration, results publishing, and e-mail addresses.
 */
import { parseEmailAddress } from '../../platform/mail/address.ts';
import type { DateMessages, ParsedText, Question, QuestionOption } from '../../platform/questions/index.ts';
import { TOPICS } from './lifecycle.ts';
import { CHANNELS } from './responses.ts';
import { SURVEY_TYPES } from './survey.ts';

/** Check and normalise an e-mail address. */
export function parseEmail(value: string): ParsedText {
  const address = parseEmailAddress(value);
  return address ? { ok: true, value: address } : { ok: false, message: 'Enter an e-mail address in the correct format, like name@example.com' };
}

/** GOV.UK date messages naming the date. */
function dateMessages(what: string): DateMessages {
  return {
    required: `Enter the date ${what}`, missingDay: `The date ${what} must include a day`, missingMonth: `The date ${what} must include a month`,
    missingYear: `The date ${what} must include a year`, real: `The date ${what} must be a real date`, tooEarly: 'The year must be 1900 or later',
    time: 'Enter a time, like 9am or 18:30',
  };
}

/** An e-mail address question. */
export function emailQuestion(label: string, hint?: string): Question {
  return { key: 'email', label, hint, type: 'text', messageLabel: 'E-mail address', max: 254, input: 'email', autocomplete: 'email', spellcheck: false, parse: parseEmail, required: 'Enter your e-mail address' };
}

const YES_NO: readonly QuestionOption[] = [{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }];

/** The consultation details form. */
export function detailsQuestions(areas: readonly QuestionOption[]): Question[] {
  return [
    { key: 'title', label: 'Title', type: 'text', messageLabel: 'Title', max: 60, required: 'Enter a title' },
    { key: 'summary', label: 'Summary', hint: 'What the consultation is about and what will happen with the answers', type: 'text', multiline: true, rows: 4, messageLabel: 'Summary', max: 2000, required: 'Enter a summary' },
    { key: 'topic', label: 'Topic', type: 'choice', display: 'select', placeholder: 'Choose a topic', options: TOPICS, required: 'Select a topic' },
    { key: 'areaId', label: 'Area', hint: 'Leave as the whole partnership unless it is about one district or ward', type: 'choice', display: 'select', placeholder: 'The whole partnership', options: areas, invalid: 'Select an area from the list' },
    { key: 'opens', label: 'Opens', hint: 'For example, 27 3 2027 and a time such as 9am', type: 'date', time: true, optional: true, messages: dateMessages('it opens') },
    { key: 'closes', label: 'Closes', hint: 'For example, 30 4 2027 and a time such as 5pm', type: 'date', time: true, optional: true, messages: dateMessages('it closes') },
    { key: 'onePerEmail', label: 'Count one response per e-mail address?', hint: 'Respondents give an e-mail address and confirm their response from a link', type: 'choice', inline: true, options: YES_NO, required: 'Select yes if only one response per e-mail address counts' },
    { key: 'aboutYou', label: 'Ask the optional "about you" questions (age band and ward)?', type: 'choice', inline: true, options: YES_NO, required: 'Select yes to ask the "about you" questions' },
  ];
}

/** The survey builder's "add a question" form. */
export function addQuestionQuestions(conditions: readonly QuestionOption[]): Question[] {
  return [
    { key: 'type', label: 'Type of question', type: 'choice', display: 'select', placeholder: 'Choose a type', options: SURVEY_TYPES, required: 'Select the type of question' },
    { key: 'label', label: 'Question', type: 'text', messageLabel: 'Question', max: 300, required: 'Enter the question' },
    { key: 'hint', label: 'Hint (optional)', type: 'text', messageLabel: 'Hint', max: 500 },
    { key: 'required', label: 'Must residents answer it?', type: 'choice', inline: true, options: YES_NO, required: 'Select yes if residents must answer it' },
    { key: 'section', label: 'Section (page) number', hint: 'Questions with the same number are asked on one page, in order', type: 'number', whole: true, min: 1, max: 20, messageLabel: 'Section number', required: 'Enter the section number' },
    { key: 'options', label: 'Options, one per line', hint: 'For single choice, multiple choice and ranking questions', type: 'text', multiline: true, rows: 4, messageLabel: 'Options', max: 2000 },
    { key: 'max', label: 'Longest answer, in characters', hint: 'For free text; 1,000 if left empty', type: 'number', whole: true, min: 10, max: 5000, messageLabel: 'Longest answer' },
    { key: 'points', label: 'Points on the scale', hint: 'For a rating scale; 5 if left empty', type: 'number', whole: true, min: 2, max: 10, messageLabel: 'Points on the scale' },
    { key: 'showWhen', label: 'Show it only when an earlier answer is (optional)', type: 'choice', display: 'select', placeholder: 'Always show it', options: conditions, invalid: 'Select a condition from the list' },
  ];
}

/** The channels staff key responses in from. */
export const KEYED_CHANNELS = CHANNELS.filter((c) => c.value !== 'online');

/** The channel question of a keyed-in response. */
export function channelQuestion(): Question {
  return { key: 'channel', label: 'How was the response given?', type: 'choice', inline: true, options: KEYED_CHANNELS, required: 'Select how the response was given' };
}

/** The meeting form. */
export function meetingQuestions(areas: readonly QuestionOption[]): Question[] {
  return [
    { key: 'title', label: 'Meeting title', type: 'text', messageLabel: 'Meeting title', max: 120, required: 'Enter the meeting title' },
    { key: 'starts', label: 'Starts', type: 'date', time: true, messages: { ...dateMessages('it starts'), required: 'Enter the date and time it starts' } },
    { key: 'minutes', label: 'Length in minutes', type: 'number', whole: true, min: 15, max: 600, messageLabel: 'Length in minutes', required: 'Enter the length in minutes' },
    { key: 'place', label: 'Place', hint: 'The building and its address', type: 'text', messageLabel: 'Place', max: 300, required: 'Enter the place' },
    { key: 'areaId', label: 'Area', type: 'choice', display: 'select', placeholder: 'The whole partnership', options: areas, invalid: 'Select an area from the list' },
    { key: 'stepFree', label: 'Is there step-free access?', type: 'choice', inline: true, options: YES_NO, required: 'Select yes if there is step-free access' },
    { key: 'hearingLoop', label: 'Is there a hearing loop?', type: 'choice', inline: true, options: YES_NO, required: 'Select yes if there is a hearing loop' },
    { key: 'accessNotes', label: 'Other access information (optional)', hint: 'For example, parking, toilets, British Sign Language', type: 'text', multiline: true, rows: 3, messageLabel: 'Access information', max: 1000 },
    { key: 'capacity', label: 'Places', type: 'number', whole: true, min: 1, max: 2000, messageLabel: 'Places', required: 'Enter the number of places' },
  ];
}

/** The registration form of a meeting. */
export function registrationQuestions(): Question[] {
  return [
    { key: 'name', label: 'Your name', type: 'text', messageLabel: 'Your name', max: 100, autocomplete: 'name', required: 'Enter your name' },
    emailQuestion('E-mail address', 'We send your place, a calendar file and a reminder here'),
    { key: 'accessNeeds', label: 'Anything you need to take part (optional)', hint: 'For example, a British Sign Language interpreter, a wheelchair space or large print. Only the organisers see this', type: 'text', multiline: true, rows: 3, messageLabel: 'What you need to take part', max: 500 },
  ];
}

/** The form publishing the results: you said, we did, and links. */
export function outcomeQuestions(): Question[] {
  return [
    { key: 'youSaid', label: 'You said', hint: 'What people told us, in a few sentences', type: 'text', multiline: true, rows: 5, messageLabel: 'You said', max: 4000, required: 'Enter what people said' },
    { key: 'weDid', label: 'We did', hint: 'What the partnership did or will do because of it', type: 'text', multiline: true, rows: 5, messageLabel: 'We did', max: 4000, required: 'Enter what the partnership did' },
    {
      key: 'links', label: 'Links to what followed (optional)', hint: 'Actions, initiatives and improvement-plan items: one per line, as the title, a vertical bar, then the address, like: Lighting on Mill Lane | /initiatives/mill-lane-lighting',
      type: 'text', multiline: true, rows: 4, messageLabel: 'Links', max: 4000, parse: parseLinkLines,
    },
  ];
}

/** Read "title | url" lines into a checked JSON list (each address a site path or an http(s) address). */
export function parseLinkLines(value: string): ParsedText {
  const links = [];
  for (const line of value.split(/\r?\n/).map((l) => l.trim()).filter(Boolean)) {
    const [title, url] = line.split('|').map((p) => p.trim());
    if (!title || !url || !(/^\/[^/]/.test(url) || /^https?:\/\/[^\s]+$/.test(url))) return { ok: false, message: `Write each link as a title, a vertical bar, then an address starting with / or https://: "${line.slice(0, 60)}"` };
    links.push({ title: title.slice(0, 200), url: url.slice(0, 500) });
  }
  return { ok: true, value: JSON.stringify(links) };
}
