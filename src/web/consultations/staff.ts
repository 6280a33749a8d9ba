/**
 * Glue for the staff consultation pages: the list and "new", the editor's page (details, survey builder,
 * lifecycle), the preview, keying in responses, results (themes, "who is not responding", publishing the
 * outcome), the CSV export and meetings. Handlers return a redirect or what the page renders.
 */
import type { AstroGlobal } from 'astro';
import {
  addMeeting, addQuestionQuestions, addTheme, aboutYouQuestions, channelQuestion, closeNow, conditionChoices, countsByChannel, createConsultation, detailsQuestions, engineQuestions,
  exportRows, findConsultation, findMeeting, listAllConsultations, listMeetings, listThemes, meetingQuestions, nextQuestionKey, optionsFromLines, outcomeQuestions, publishProblem,
  publishResults, saveMeetingNotes, saveSurvey, sectionQuestions, setPublished, stateOf, submitResponse, surveyOf, surveyResults, surveySections, tagAnswer, tagsByAnswer,
  countedResponses, updateConsultation, whoIsResponding, meetingWhen, accessWords, STATE_LABELS, SURVEY_TYPES, TYPES_WITH_OPTIONS, topicLabel,
  conditionMeaningProblem, conditionProblem, datesChangeProblem, hasResponses, moveQuestion, replaceQuestion, sectionFieldProblem, sectionTextProblem, surveyInOrder, KEY_IN_BODY_BYTES, KEY_IN_FIELDS, MAX_OPTIONS, optionLineCount,
  type Channel, type Consultation, type ConsultationDetails, type SurveyQuestion, type SurveyType,
} from '../../domains/consultations/index.ts';
import { answersToValues, buildQuestionSchema, type Answers, type DateAnswer, type Question } from '../../platform/questions/index.ts';
import { csvStream, csvHeaders } from '../../platform/csv.ts';
import { formatDateTimeLong, londonParts } from '../../platform/time/london.ts';
import { can, notFound } from '../guards.ts';
import { fieldError, readPageForm, refuseForm, seeOther, typedAnswers, typedValues, validateForm, type FieldError } from '../forms.ts';
import { actorOf } from '../staff/common.ts';
import { pageNumber, pageOf, paginationLinks } from '../pagination.ts';
import { areaName, areaOptions, mailLinks, mayManageArea, reachPopulation, staffActor, wardOptions } from './common.ts';
import { recordAudit } from '../../platform/audit.ts';

/** A moment as the parts of a date question (London time). */
function dateAnswerOf(ms: number | null): DateAnswer | undefined {
  if (ms === null) return undefined;
  const p = londonParts(ms);
  return { day: String(p.d), month: String(p.m), year: String(p.y), time: `${String(p.h).padStart(2, '0')}:${String(p.min).padStart(2, '0')}`, at: ms };
}

/** The staff list of consultations, with the "new consultation" form. */
export async function staffList(astro: AstroGlobal) {
  const user = astro.locals.user;
  const questions = detailsQuestions(areaOptions(user));
  let errors: FieldError[] = [];
  let values: Record<string, string | string[]> = { onePerEmail: 'no', aboutYou: 'yes' };
  if (astro.request.method === 'POST') {
    const read = await readPageForm(astro, { multipart: false });
    if (!read.ok) errors = read.errors;
    else {
      values = typedValues(read.form);
      const result = readAreaDetails(astro, questions, read.form);
      if (!result.ok) {
        errors = result.errors;
        refuseForm(astro);
      } else {
        const c = await createConsultation(result.details, actorOf(astro));
        return seeOther(`/staff/consultations/${c.id}?saved=created`);
      }
    }
  }
  const now = Date.now();
  const rows = (await listAllConsultations()).filter((c) => mayManageArea(user, c.areaId)).map((c) => ({ id: c.id, title: c.title, state: STATE_LABELS[stateOf(c, now)], area: areaName(c.areaId), closes: c.closesAt ? formatDateTimeLong(c.closesAt) : 'Not set' }));
  return { rows, questions, errors, values };
}

/** Read and check the details form. */
function readDetails(questions: Question[], form: FormData): { ok: true; details: ConsultationDetails } | { ok: false; errors: FieldError[] } {
  const result = validateForm(buildQuestionSchema(questions), form);
  if (!result.ok) return result;
  const a = result.data;
  const opensAt = (a.opens as DateAnswer | undefined)?.at ?? null;
  const closesAt = (a.closes as DateAnswer | undefined)?.at ?? null;
  if (opensAt !== null && closesAt !== null && closesAt <= opensAt) return { ok: false, errors: [fieldError('closes-day', 'The closing date must be after the opening date')] };
  return {
    ok: true,
    details: { title: String(a.title), summary: String(a.summary), topic: String(a.topic), areaId: (a.areaId as string | undefined) ?? null, opensAt, closesAt, onePerEmail: a.onePerEmail === 'yes', aboutYou: a.aboutYou === 'yes' },
  };
}

/** Read the details form, refusing an area the user may not manage (a district editor must choose one in their district). */
function readAreaDetails(astro: AstroGlobal, questions: Question[], form: FormData): ReturnType<typeof readDetails> {
  const result = readDetails(questions, form);
  if (result.ok && !mayManageArea(astro.locals.user, result.details.areaId)) return { ok: false, errors: [fieldError('areaId', 'Choose an area in your district')] };
  return result;
}

/** The consultation by the id in the URL, or null when there is none or the user may not manage its area. */
async function consultationOf(astro: { params: Record<string, string | undefined>; locals: App.Locals }): Promise<Consultation | null> {
  const c = await findConsultation(astro.params.id ?? '');
  return c && mayManageArea(astro.locals.user, c.areaId) ? c : null;
}

/** Read the question form into a survey question (a new key, or the key of the question edited); errors name the form's fields. */
function readNewQuestion(survey: readonly SurveyQuestion[], form: FormData, key = nextQuestionKey(survey)): { ok: true; question: SurveyQuestion } | { ok: false; errors: FieldError[] } {
  const wards = wardOptions();
  const result = validateForm(buildQuestionSchema(addQuestionQuestions(conditionChoices(survey.filter((q) => q.key !== key), wards))), form);
  if (!result.ok) return result;
  const a = result.data;
  const type = a.type as SurveyType;
  const options = optionsFromLines(String(a.options ?? ''));
  if (TYPES_WITH_OPTIONS.includes(type) && options.length < 2) return { ok: false, errors: [fieldError('options', 'Enter at least 2 options, one per line')] };
  if (TYPES_WITH_OPTIONS.includes(type) && optionLineCount(String(a.options ?? '')) > MAX_OPTIONS) return { ok: false, errors: [fieldError('options', `Enter ${MAX_OPTIONS} options or fewer, one per line`)] };
  const section = Number(a.section);
  let showWhen: SurveyQuestion['showWhen'];
  if (typeof a.showWhen === 'string') {
    const [key, value] = a.showWhen.split(':') as [string, string];
    const parent = survey.find((q) => q.key === key);
    if (!parent || parent.section >= section) return { ok: false, errors: [fieldError('showWhen', 'A question shown only after an answer must be in a later section than the question it depends on')] };
    showWhen = { key, in: [value] };
  }
  return {
    ok: true,
    question: {
      key, type, label: String(a.label), hint: (a.hint as string | undefined) || undefined, required: a.required === 'yes', section,
      options: TYPES_WITH_OPTIONS.includes(type) ? options : undefined, max: type === 'text' ? ((a.max as number | undefined) ?? 1000) : undefined,
      points: type === 'rating' ? ((a.points as number | undefined) ?? 5) : undefined, showWhen,
    },
  };
}

/** A survey question as the values of the question form (to change it). */
function questionValues(q: SurveyQuestion): Record<string, string> {
  return {
    type: q.type, label: q.label, hint: q.hint ?? '', required: q.required ? 'yes' : 'no', section: String(q.section), options: (q.options ?? []).map((o) => o.label).join('\n'),
    max: q.max ? String(q.max) : '', points: q.points ? String(q.points) : '', showWhen: q.showWhen ? `${q.showWhen.key}:${q.showWhen.in[0]}` : '',
  };
}

/** Why the survey cannot change now, or null when it can: only a draft, and never once it has responses. */
async function surveyLocked(c: Consultation, state: string): Promise<string | null> {
  if (state !== 'draft') return 'Take the consultation back to draft before changing its questions';
  if (await hasResponses(c.id)) return 'This consultation has responses, so its questions can no longer change: the answers given would not match them';
  return null;
}

/** Words for a question's condition. */
function conditionWords(q: SurveyQuestion, survey: readonly SurveyQuestion[]): string {
  if (!q.showWhen) return '';
  const parent = survey.find((p) => p.key === q.showWhen!.key);
  const label = parent?.options?.find((o) => o.value === q.showWhen!.in[0])?.label ?? wardOptions().find((w) => w.value === q.showWhen!.in[0])?.label ?? q.showWhen.in[0];
  return `Only when ${q.showWhen.key} is ${label}`;
}

/** An action of the editor page waiting for the editor to confirm it: what it does, in words, and the form to send again. */
export interface Confirming {
  intent: string;
  key?: string;
  question: string;
  yes: string;
  no: string;
}

/**
 * The confirmation an action needs before it runs (no JavaScript: the first press asks, the second, with confirm=yes,
 * does it), or null when it needs none or was confirmed: closing early, taking an open or forthcoming consultation
 * back to draft, and removing a question (with the questions shown only after an answer to it).
 */
function confirmationFor(intent: string, form: FormData, c: { title: string }, survey: SurveyQuestion[], state: string): Confirming | null {
  if (form.get('confirm') === 'yes') return null;
  if (intent === 'close' && state === 'open') {
    return { intent, question: `Close “${c.title}” now? The closing date becomes now, and residents part-way through the survey cannot finish it.`, yes: 'Yes, close it now', no: 'No, keep it open' };
  }
  if (intent === 'unpublish' && (state === 'forthcoming' || state === 'open')) {
    return { intent, question: `Take “${c.title}” back to draft? Its public page, its survey and residents' links to finish a response stop working until it is published again.`, yes: 'Yes, take it back to draft', no: 'No, keep it published' };
  }
  if (intent === 'remove') {
    const key = String(form.get('key') ?? '');
    if (!survey.some((q) => q.key === key)) return null;
    const dependents = survey.filter((q) => q.showWhen?.key === key).map((q) => q.key);
    const also = dependents.length ? ` ${dependents.length === 1 ? 'Question' : 'Questions'} ${dependents.join(', ')}, shown only after an answer to it, ${dependents.length === 1 ? 'is' : 'are'} removed too.` : '';
    return { intent, key, question: `Remove question ${key} from the survey?${also}`, yes: `Yes, remove ${key}`, no: 'No, keep it' };
  }
  return null;
}

/** The editor's page: details, survey builder and lifecycle, by intent. */
export async function editorPage(astro: AstroGlobal) {
  const c = await consultationOf(astro);
  if (!c) return { response: await notFound(astro) };
  const actor = actorOf(astro);
  const wards = wardOptions();
  const survey = surveyOf(c);
  const details = detailsQuestions(areaOptions(astro.locals.user));
  const adding = addQuestionQuestions(conditionChoices(survey, wards));
  let errors: FieldError[] = [];
  let detailValues: Record<string, string | string[]> = answersToValues(details, {
    title: c.title, summary: c.summary, topic: c.topic, areaId: c.areaId ?? undefined, opens: dateAnswerOf(c.opensAt), closes: dateAnswerOf(c.closesAt), onePerEmail: c.onePerEmail ? 'yes' : 'no', aboutYou: c.aboutYou ? 'yes' : 'no',
  });
  let addValues: Record<string, string | string[]> = { required: 'yes', section: String(Math.max(1, ...surveySections(survey))) };
  let failedIntent = '';
  let editKey = astro.url.searchParams.get('edit') ?? '';
  let editValues: Record<string, string | string[]> | null = null;
  let confirming: Confirming | null = null;
  if (astro.request.method === 'POST') {
    const read = await readPageForm(astro, { multipart: false });
    if (!read.ok) errors = read.errors;
    else {
      const intent = String(read.form.get('intent') ?? '');
      failedIntent = intent;
      const state = stateOf(c, Date.now());
      const asking = confirmationFor(intent, read.form, c, survey, state);
      // A question of a survey that can no longer change is refused below, without asking first.
      if (asking && !(intent === 'remove' && (await surveyLocked(c, state)))) confirming = asking;
      else if (intent === 'details') {
        detailValues = typedValues(read.form);
        const result = readAreaDetails(astro, details, read.form);
        const problem = result.ok ? datesChangeProblem(c, result.details, Date.now()) : null;
        if (result.ok && !problem) {
          await updateConsultation(c.id, result.details, actor);
          return seeOther(`/staff/consultations/${c.id}?saved=details`);
        }
        errors = result.ok ? [fieldError(`${problem!.field}-day`, problem!.message)] : result.errors;
      } else if (intent === 'add' || intent === 'remove' || intent === 'edit' || intent === 'move') {
        const locked = await surveyLocked(c, state);
        const key = String(read.form.get('key') ?? '');
        if (locked) errors = [fieldError('form', locked, 'main-content')];
        else if ((intent === 'edit' || intent === 'move') && !survey.some((q) => q.key === key)) errors = [fieldError('form', 'That question is not in the survey', 'survey')];
        else if (intent === 'edit') {
          editKey = key;
          editValues = typedValues(read.form);
          const result = readNewQuestion(survey, read.form, key);
          const changed = result.ok ? replaceQuestion(survey, result.question) : survey;
          const meaning = result.ok ? conditionMeaningProblem(survey, changed) : null;
          const problem = result.ok ? (conditionProblem(changed, wards) ?? sectionTextProblem(changed) ?? sectionFieldProblem(changed)) : null;
          if (result.ok && !problem && !meaning) {
            await saveSurvey(c.id, changed, actor);
            return seeOther(`/staff/consultations/${c.id}?saved=changed#survey`);
          }
          errors = !result.ok ? result.errors : meaning ? [fieldError('options', meaning)] : [fieldError('section', problem!)];
        } else if (intent === 'move') {
          const moved = moveQuestion(survey, key, read.form.get('direction') === 'up' ? 'up' : 'down');
          if (moved) {
            await saveSurvey(c.id, moved, actor);
            return seeOther(`/staff/consultations/${c.id}?saved=moved#question-${key}`);
          }
          errors = [fieldError('form', 'That question cannot move further within its section. Change its section number to move it to another page', 'survey')];
        } else if (intent === 'add') {
          addValues = typedValues(read.form);
          const result = readNewQuestion(survey, read.form);
          const added = result.ok ? [...survey, result.question] : survey;
          const textProblem = result.ok ? sectionTextProblem(added) : null;
          const fieldProblem = result.ok && !textProblem ? sectionFieldProblem(added) : null;
          if (result.ok && !textProblem && !fieldProblem) {
            await saveSurvey(c.id, added, actor);
            return seeOther(`/staff/consultations/${c.id}?saved=question#survey`);
          }
          errors = !result.ok ? result.errors : [textProblem ? fieldError('max', textProblem) : fieldError('section', fieldProblem!)];
        } else {
          if (!survey.some((q) => q.key === key)) errors = [fieldError('form', 'That question is not in the survey', 'survey')];
          else {
            await saveSurvey(c.id, survey.filter((q) => q.key !== key && q.showWhen?.key !== key), actor);
            return seeOther(`/staff/consultations/${c.id}?saved=removed#survey`);
          }
        }
      } else if (intent === 'publish') {
        const problem = publishProblem(c);
        if (problem) errors = [fieldError('form', problem, 'lifecycle')];
        else {
          await setPublished(c.id, true, actor);
          return seeOther(`/staff/consultations/${c.id}?saved=published`);
        }
      } else if (intent === 'unpublish' && (state === 'forthcoming' || state === 'open')) {
        await setPublished(c.id, false, actor);
        return seeOther(`/staff/consultations/${c.id}?saved=unpublished`);
      } else if (intent === 'close' && state === 'open') {
        await closeNow(c.id, actor);
        return seeOther(`/staff/consultations/${c.id}?saved=closed`);
      } else errors = [fieldError('form', 'That cannot be done now. Reload the page and try again.', 'lifecycle')];
      if (errors.length) refuseForm(astro);
    }
  }
  const now = Date.now();
  const state = stateOf(c, now);
  const ordered = surveyInOrder(survey);
  const rows = ordered.map((q, i) => ({
    key: q.key, section: q.section, label: q.label, type: SURVEY_TYPES.find((t) => t.value === q.type)?.label ?? q.type, required: q.required ? 'Required' : 'Optional',
    options: q.options?.map((o) => o.label).join(', ') ?? '', condition: conditionWords(q, survey),
    up: ordered[i - 1]?.section === q.section, down: ordered[i + 1]?.section === q.section,
  }));
  const editing = survey.find((q) => q.key === editKey);
  const locked = await surveyLocked(c, state);
  const edit = editing && !locked ? { key: editing.key, questions: addQuestionQuestions(conditionChoices(survey.filter((q) => q.key !== editing.key), wards)), values: editValues ?? questionValues(editing) } : null;
  return { c, state, stateLabel: STATE_LABELS[state], details, detailValues, adding, addValues, edit, locked, rows, errors, failedIntent, confirming, saved: astro.url.searchParams.get('saved'), topic: topicLabel(c.topic) };
}

/** The preview: every section as a resident sees it (conditional questions shown with their condition). */
export async function previewPage(astro: AstroGlobal) {
  const c = await consultationOf(astro);
  if (!c) return { response: await notFound(astro) };
  const survey = surveyOf(c);
  const wards = wardOptions();
  const sections = surveySections(survey).map((s, i, all) => ({
    title: `Section ${i + 1} of ${all.length}`,
    questions: sectionQuestions(survey, s, wards).map((q) => ({ q, condition: conditionWords(survey.find((x) => q.key === x.key || q.key.startsWith(`${x.key}-`))!, survey) })),
  }));
  return { c, sections, about: c.aboutYou ? aboutYouQuestions(wards) : [] };
}

/** Keying in a paper, phone or meeting response: the whole survey on one page, the channel recorded. */
export async function keyInPage(astro: AstroGlobal) {
  const c = await consultationOf(astro);
  if (!c) return { response: await notFound(astro) };
  const survey = surveyOf(c);
  const wards = wardOptions();
  const questions = [channelQuestion(), ...engineQuestions(survey, wards)];
  const about = c.aboutYou ? aboutYouQuestions(wards) : [];
  let errors: FieldError[] = [];
  let values: Record<string, string | string[]> = { channel: astro.url.searchParams.get('channel') === 'phone' ? 'phone' : '' };
  const state = stateOf(c, Date.now());
  const accepting = state === 'open' || state === 'closed';
  if (astro.request.method === 'POST') {
    const read = await readPageForm(astro, { multipart: false, maxBytes: KEY_IN_BODY_BYTES, maxFields: KEY_IN_FIELDS });
    if (!read.ok) errors = read.errors;
    else if (!accepting) errors = [fieldError('form', 'This consultation is not taking responses', 'main-content')];
    else {
      values = typedAnswers(read.form);
      const result = validateForm(buildQuestionSchema([...questions, ...about]), read.form);
      if (result.ok) {
        const { channel, ageBand, wardId, ...answers } = result.data as Answers;
        const sent = await submitResponse(c, survey, { channel: channel as Channel, answers, profile: { ageBand: ageBand as string | undefined, wardId: wardId as string | undefined }, enteredBy: actorOf(astro) }, wards, mailLinks());
        if (sent.ok) return seeOther(`/staff/consultations/${c.id}/respond?saved=${encodeURIComponent(sent.id)}`);
        errors = [fieldError(sent.field, sent.message)];
      } else errors = result.errors;
    }
    if (errors.length) refuseForm(astro);
  }
  return { c, questions, about, errors, values, accepting, saved: astro.url.searchParams.get('saved') };
}

/** Open consultations a call handler can take a response for (the call screen's "consultation response"). */
export async function openForKeying() {
  const now = Date.now();
  return (await listAllConsultations()).filter((c) => stateOf(c, now) === 'open').map((c) => ({ id: c.id, title: c.title, closes: formatDateTimeLong(c.closesAt!) }));
}

/** Free-text answers of each question on a page of the results. */
const ANSWERS_PER_PAGE = 50;

/** The results page: charts and tables, theme tagging, who is not responding, and publishing the outcome. */
export async function resultsPage(astro: AstroGlobal) {
  const c = await consultationOf(astro);
  if (!c) return { response: await notFound(astro) };
  const actor = actorOf(astro);
  const survey = surveyOf(c);
  const wards = wardOptions();
  const outcome = outcomeQuestions();
  let errors: FieldError[] = [];
  let outcomeValues: Record<string, string> = { youSaid: c.youSaid, weDid: c.weDid, links: c.weDidLinks.map((l) => `${l.title} | ${l.url}`).join('\n') };
  let themeValue = '';
  if (astro.request.method === 'POST') {
    const read = await readPageForm(astro, { multipart: false });
    if (!read.ok) errors = read.errors;
    else {
      const intent = String(read.form.get('intent') ?? '');
      if (intent === 'theme') {
        themeValue = String(read.form.get('theme') ?? '').trim();
        if (!themeValue) errors = [fieldError('theme', 'Enter the theme')];
        else if (themeValue.length > 60) errors = [fieldError('theme', 'The theme must be 60 characters or fewer')];
        else {
          const added = await addTheme(c.id, themeValue, actor);
          if (added.ok) return seeOther(`/staff/consultations/${c.id}/results?saved=theme#themes`);
          errors = [fieldError('theme', added.message)];
        }
      } else if (intent === 'tag') {
        const responseId = String(read.form.get('response') ?? '');
        const questionKey = String(read.form.get('question') ?? '');
        const ok = survey.some((q) => q.key === questionKey && q.type === 'text') && (await tagAnswer(c.id, responseId, questionKey, read.form.getAll('themes').map(String), actor));
        const onPage = Math.min(pageNumber(String(read.form.get('answers') ?? '')), 10_000);
        if (ok) return seeOther(`/staff/consultations/${c.id}/results?saved=tagged${onPage > 1 ? `&answers=${onPage}` : ''}#answer-${responseId}-${questionKey}`);
        errors = [fieldError('form', 'That answer could not be found. Reload the page and try again.', 'themes')];
      } else if (intent === 'publish') {
        outcomeValues = typedValues(read.form);
        const state = stateOf(c, Date.now());
        if (state !== 'closed' && state !== 'results') errors = [fieldError('form', 'Close the consultation before publishing its results', 'outcome')];
        else {
          const result = validateForm(buildQuestionSchema(outcome), read.form);
          if (!result.ok) errors = result.errors;
          else {
            await publishResults(c.id, { youSaid: String(result.data.youSaid), weDid: String(result.data.weDid), links: result.data.links ? JSON.parse(String(result.data.links)) : [] }, actor);
            return seeOther(`/staff/consultations/${c.id}/results?saved=published`);
          }
        }
      } else errors = [fieldError('form', 'The form could not be read. Go back and try again.', 'main-content')];
      if (errors.length) refuseForm(astro);
    }
  }
  const themes = await listThemes(c.id);
  const tags = await tagsByAnswer(c.id);
  const responses = await countedResponses(c.id);
  // Free-text answers a page at a time (the same page of each question), each with its theme form.
  const answered = survey.filter((q) => q.type === 'text').map((q) => ({ q, rows: responses.filter((r) => typeof r.answers[q.key] === 'string') }));
  const answersAt = pageOf(Math.max(0, ...answered.map((a) => a.rows.length)), astro.url.searchParams.get('answers'), ANSWERS_PER_PAGE);
  const textAnswers = answered.map(({ q, rows }) => ({
    key: q.key, label: q.label, total: rows.length, from: Math.min(rows.length, answersAt.start + 1), to: Math.min(rows.length, answersAt.end),
    answers: rows.slice(answersAt.start, answersAt.end).map((r) => ({ id: r.id, text: String(r.answers[q.key]), channel: r.channel, themes: tags.get(`${r.id} ${q.key}`) ?? [] })),
  }));
  const answersPagination = paginationLinks(answersAt.page, answersAt.pages, (n) => `/staff/consultations/${c.id}/results${n > 1 ? `?answers=${n}` : ''}#themes`);
  const state = stateOf(c, Date.now());
  return {
    c, state, stateLabel: STATE_LABELS[state], questions: await surveyResults(c.id, survey, wards), channels: await countsByChannel(c.id), themes, textAnswers,
    answersPage: answersAt.page, answersPagination,
    reach: await whoIsResponding(c.id, reachPopulation(c.areaId)), outcome, outcomeValues, themeValue, errors, saved: astro.url.searchParams.get('saved'), canExportPii: can(astro.locals, 'pii.export'),
  };
}

/** The CSV export of counted responses (free text only with pii.export), audited. */
export async function exportCsv(ctx: { params: Record<string, string | undefined>; locals: App.Locals; clientAddress?: string }): Promise<Response> {
  const c = await consultationOf(ctx);
  if (!c) return notFound();
  const freeText = can(ctx.locals, 'pii.export');
  const { header, rows } = await exportRows(c.id, surveyOf(c), wardOptions(), freeText);
  await recordAudit(staffActor(ctx), 'consultation.responses_exported', { kind: 'consultation', id: c.id }, { rows: rows.length, freeText });
  async function* pages() {
    yield rows;
  }
  return new Response(csvStream(header, pages()), { headers: csvHeaders(`consultation-${c.slug}.csv`) });
}

/** The meetings page: add a meeting; publish notes and outcomes after one. */
export async function meetingsPage(astro: AstroGlobal) {
  const c = await consultationOf(astro);
  if (!c) return { response: await notFound(astro) };
  const actor = actorOf(astro);
  const questions = meetingQuestions(areaOptions(astro.locals.user));
  let errors: FieldError[] = [];
  let values: Record<string, string | string[]> = { stepFree: 'yes', hearingLoop: 'yes', areaId: c.areaId ?? '' };
  if (astro.request.method === 'POST') {
    const read = await readPageForm(astro, { multipart: false });
    if (!read.ok) errors = read.errors;
    else if (read.form.get('intent') === 'notes') {
      const m = await findMeeting(String(read.form.get('meeting') ?? ''));
      const notes = String(read.form.get('notes') ?? '').trim().slice(0, 4000);
      if (!m || m.consultationId !== c.id) errors = [fieldError('form', 'That meeting could not be found', 'meetings')];
      else if (!notes) errors = [fieldError(`notes-${m.id}`, 'Enter the notes and outcomes')];
      else {
        await saveMeetingNotes(m.id, notes, actor);
        return seeOther(`/staff/consultations/${c.id}/meetings?saved=notes`);
      }
    } else {
      values = typedValues(read.form);
      const result = validateForm(buildQuestionSchema(questions, { now: Date.now() }), read.form);
      // A meeting needs its time (a date alone would become midday), and one already past cannot be announced.
      const starts = result.ok ? (result.data.starts as DateAnswer) : null;
      if (!result.ok) errors = result.errors;
      else if (!starts!.time) errors = [fieldError('starts-time', 'Enter the time it starts, like 6pm or 18:30')];
      else if (starts!.at <= Date.now()) errors = [fieldError('starts-day', 'The meeting must start in the future')];
      else {
        const a = result.data;
        const startsAt = starts!.at;
        await addMeeting(c.id, {
          title: String(a.title), startsAt, endsAt: startsAt + Number(a.minutes) * 60_000, place: String(a.place), areaId: (a.areaId as string | undefined) ?? null,
          stepFree: a.stepFree === 'yes', hearingLoop: a.hearingLoop === 'yes', accessNotes: String(a.accessNotes ?? ''), capacity: Number(a.capacity),
        }, actor);
        return seeOther(`/staff/consultations/${c.id}/meetings?saved=added`);
      }
    }
    if (errors.length) refuseForm(astro);
  }
  const meetings = (await listMeetings(c.id)).map((m) => ({ id: m.id, title: m.title, when: meetingWhen(m), place: m.place, access: accessWords(m), capacity: m.capacity, booked: m.booked, waiting: m.waiting, notes: m.notes }));
  return { c, questions, values, errors, meetings, saved: astro.url.searchParams.get('saved') };
}
