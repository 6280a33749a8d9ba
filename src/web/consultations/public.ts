/**
 * Glue for the public consultation pages: the finder, a consultation's page (with results once published), the
 * survey one section per page (a draft in a cookie, save and resume by e-mail), the finish page (optional
 * "about you", an e-mail address when one response per address counts) and the confirmation link.
 */
import type { AstroGlobal } from 'astro';
import {
  aboutYouQuestions, confirmResponse, countsByChannel, emailResumeLink, findConsultationBySlug, findConsultations, firstIncompleteSection, listMeetings,
  openDraft, saveSection, sectionAfterChange, sectionQuestions, shownSections, startDraft, stateOf, submitResponse, surveyOf, surveyResults, engineQuestions, SECTION_BODY_BYTES, STATE_LABELS, SUPPRESS_UNDER, TOPICS, topicLabel,
  accessWords, meetingWhen, type Consultation, type ConsultationDraft, type ConsultationState, type SurveyQuestion,
} from '../../domains/consultations/index.ts';
import { answersToValues, buildQuestionSchema, localiseQuestions, shownQuestions, summariseAnswers, type Answers, type Question, type QuestionOption } from '../../platform/questions/index.ts';
import { formatDateTimeLong } from '../../platform/time/london.ts';
import { translate, translateOr, translator } from '../../platform/i18n/index.ts';
import { notFound } from '../guards.ts';
import { readPageForm, refuseForm, seeOther, typedAnswers, typedValues, validateForm, type Done, type FieldError } from '../forms.ts';
import { secureCookiesFor } from '../session-cookie.ts';
import { areaName, areaOptions, emailQuestionIn, honeypotFilled, limitPublicForm, mailLinks, wardOptions } from './common.ts';

/** What the cookie and look-up helpers need of a page or endpoint. */
type Ctx = Pick<AstroGlobal, 'params' | 'url' | 'cookies'>;

/** The draft cookie of one consultation. */
const DRAFT_COOKIE = 'consultation_draft';

function cookiePath(c: Consultation): string {
  return `/consultations/${c.slug}`;
}

function setDraftCookie(astro: Ctx, c: Consultation, token: string) {
  astro.cookies.set(DRAFT_COOKIE, token, { httpOnly: true, sameSite: 'lax', path: cookiePath(c), secure: secureCookiesFor(astro.url), maxAge: 60 * 86_400 });
}

function clearDraftCookie(astro: Ctx, c: Consultation) {
  astro.cookies.set(DRAFT_COOKIE, '', { httpOnly: true, sameSite: 'lax', path: cookiePath(c), secure: secureCookiesFor(astro.url), maxAge: 0 });
}

/** A consultation state's words in a language (`consultations.state.<state>` keys, else the English label). */
function stateWords(state: ConsultationState, lang: string): string {
  return translateOr(lang, `consultations.state.${state}`, STATE_LABELS[state]);
}

/** A topic's words in a language (`consultations.topic.<value>` keys, else the English label). */
function topicWords(value: string, lang: string): string {
  return translateOr(lang, `consultations.topic.${value}`, topicLabel(value));
}

/** The public finder: filters by state, area and topic, and a search; words in the request's language. */
export async function finder(astro: AstroGlobal) {
  const lang = astro.locals.lang;
  const t = translator(lang);
  const q = astro.url.searchParams;
  const states: ConsultationState[] = ['open', 'forthcoming', 'closed', 'results'];
  const state = states.find((s) => s === q.get('state')) ?? '';
  const areas = areaOptions();
  const areaId = areas.find((a) => a.value === q.get('area'))?.value ?? '';
  const topic = TOPICS.find((t) => t.value === q.get('topic'))?.value ?? '';
  const search = (q.get('q') ?? '').slice(0, 100);
  const now = Date.now();
  const rows = (await findConsultations({ state, areaId, topic, search }, now)).map((c) => ({
    slug: c.slug, title: c.title, summary: c.summary, state: stateWords(c.state, lang), stateValue: c.state, area: areaName(c.areaId), topic: topicWords(c.topic, lang),
    dates: c.state === 'forthcoming' ? t('consultations.opensOn', { when: formatDateTimeLong(c.opensAt!, lang) }) : t(c.state === 'open' ? 'consultations.closesOn' : 'consultations.closedOn', { when: formatDateTimeLong(c.closesAt!, lang) }),
  }));
  return {
    rows, search,
    filters: {
      state: [{ value: '', label: t('consultations.filter.anyState') }, ...states.map((s) => ({ value: s, label: stateWords(s, lang) }))], stateValue: state,
      area: [{ value: '', label: t('consultations.filter.anywhere') }, ...areas.map((a) => ({ ...a, label: a.label.replace(/ \(district\)$/, ` (${t('consultations.district')})`) }))], areaValue: areaId,
      topic: [{ value: '', label: t('consultations.filter.anyTopic') }, ...TOPICS.map((o) => ({ value: o.value, label: topicWords(o.value, lang) }))], topicValue: topic,
    },
  };
}

/** A published consultation by the slug in the URL, or null (drafts are not found). */
async function publicConsultation(astro: Ctx): Promise<Consultation | null> {
  const c = await findConsultationBySlug(astro.params.slug ?? '');
  return c && stateOf(c, Date.now()) !== 'draft' ? c : null;
}

/** A consultation's public page: what it is, when, how to respond, meetings, and results once published. */
export async function consultationPage(astro: AstroGlobal) {
  const c = await publicConsultation(astro);
  if (!c) return { response: await notFound(astro) };
  const now = Date.now();
  const lang = astro.locals.lang;
  const state = stateOf(c, now);
  const wards = wardOptions();
  const survey = surveyOf(c);
  const meetings = (await listMeetings(c.id)).map((m) => ({ id: m.id, title: m.title, when: meetingWhen(m, lang), place: m.place, access: accessWords(m, lang), notes: m.notes, past: m.endsAt < now, full: m.booked >= m.capacity }));
  // Published results leave out the wards with too few answers to keep anyone's answers private (staff see them all).
  const results = state === 'results' ? { questions: await surveyResults(c.id, survey, wards, { minimumPerWard: SUPPRESS_UNDER }), channels: await countsByChannel(c.id), wardMinimum: SUPPRESS_UNDER } : null;
  const draft = await openDraft(c.id, astro.cookies.get(DRAFT_COOKIE)?.value);
  return {
    c, state, stateLabel: stateWords(state, lang), area: areaName(c.areaId), topic: topicWords(c.topic, lang), meetings, results,
    opens: c.opensAt ? formatDateTimeLong(c.opensAt, lang) : '', closes: c.closesAt ? formatDateTimeLong(c.closesAt, lang) : '',
    resumable: !!draft, expiredLink: astro.url.searchParams.get('resume') === 'expired',
  };
}

/** What the responding pages work with. */
interface Responding {
  c: Consultation;
  survey: SurveyQuestion[];
  wards: QuestionOption[];
  draft: ConsultationDraft | null;
  answers: Answers;
}

/** The consultation, its survey and the draft, for the responding pages; or a response (404, or back to the page when not open). */
async function respondingContext(astro: AstroGlobal): Promise<Responding | Done> {
  const c = await publicConsultation(astro);
  if (!c) return { response: await notFound(astro) };
  if (stateOf(c, Date.now()) !== 'open') return seeOther(`/consultations/${c.slug}`);
  const survey = surveyOf(c);
  const wards = wardOptions();
  const draft = await openDraft(c.id, astro.cookies.get(DRAFT_COOKIE)?.value);
  return { c, survey, wards, draft, answers: (draft?.answers ?? {}) as Answers };
}

/**
 * One section of the survey: GET shows it with the saved answers; POST checks and saves it, then goes on (or to "save
 * and come back later"). From a change link on check answers (?change=1) it goes back there, unless the change newly
 * shows a later question or leaves a required one unanswered: that section comes first (sectionAfterChange).
 */
export async function respondPage(astro: AstroGlobal) {
  const ctx = await respondingContext(astro);
  if ('response' in ctx) return ctx;
  const { c, survey, wards, answers } = ctx;
  let draft = ctx.draft;
  const sections = shownSections(survey, answers, wards);
  if (sections.length === 0) return { response: await notFound(astro) };
  const asked = Number(astro.url.searchParams.get('section'));
  if (!sections.includes(asked)) return seeOther(`/consultations/${c.slug}/respond?section=${sections[0]}`);
  const section = asked;
  const change = astro.url.searchParams.get('change') === '1';
  const questions = shownQuestions(sectionQuestions(survey, section, wards), answers);
  let errors: FieldError[] = [];
  let values: Record<string, string | string[]> = answersToValues(questions, answers);
  if (astro.request.method === 'POST') {
    const read = await readPageForm(astro, { multipart: false, maxBytes: SECTION_BODY_BYTES });
    if (!read.ok) errors = read.errors;
    else {
      values = typedAnswers(read.form);
      const all = sectionQuestions(survey, section, wards);
      // "Save and come back later" keeps a page part-answered: nothing is required yet (the finish page asks for it).
      const saving = read.form.get('action') === 'save';
      const asked = saving ? all.map((q): Question => (q.type === 'date' ? { ...q, optional: true } : { ...q, required: undefined })) : all;
      const result = validateForm(buildQuestionSchema(asked, { earlier: answers }), read.form);
      if (!result.ok) {
        errors = result.errors;
        refuseForm(astro);
      } else {
        const limited = draft ? null : await limitPublicForm(astro, 'start');
        if (limited) errors = [limited];
        else {
          if (!draft) {
            const started = await startDraft(c.id);
            draft = started.draft;
            setDraftCookie(astro, c, started.token);
          }
          const saved = await saveSection(draft, survey, section, result.data, wards);
          if (read.form.get('action') === 'save') return seeOther(`/consultations/${c.slug}/save?section=${section}`);
          if (change) {
            const then = sectionAfterChange(survey, section, answers, saved, wards);
            return seeOther(then !== null ? `/consultations/${c.slug}/respond?section=${then}&change=1` : `/consultations/${c.slug}/finish`);
          }
          const next = shownSections(survey, saved, wards).find((s) => s > section);
          return seeOther(next ? `/consultations/${c.slug}/respond?section=${next}` : `/consultations/${c.slug}/finish`);
        }
      }
    }
  }
  const index = sections.indexOf(section);
  const back = change ? `/consultations/${c.slug}/finish` : index > 0 ? `/consultations/${c.slug}/respond?section=${sections[index - 1]}` : `/consultations/${c.slug}`;
  const action = `/consultations/${c.slug}/respond?section=${section}${change ? '&change=1' : ''}`;
  return { c, questions, values, errors, back, action, step: index + 1, steps: sections.length };
}

/** "Save and come back later": e-mails a link to carry on (a fresh one each time). */
export async function savePage(astro: AstroGlobal) {
  const ctx = await respondingContext(astro);
  if ('response' in ctx) return ctx;
  const { c, draft } = ctx;
  const section = Number(astro.url.searchParams.get('section')) || 1;
  if (!draft) return seeOther(`/consultations/${c.slug}/respond`);
  const lang = astro.locals.lang;
  const question = emailQuestionIn(translate(lang, 'consultations.save.email.label'), translate(lang, 'consultations.save.email.hint'), lang);
  let errors: FieldError[] = [];
  let values: Record<string, string> = {};
  let sentTo: string | null = null;
  if (astro.request.method === 'POST') {
    const read = await readPageForm(astro, { multipart: false });
    if (!read.ok) errors = read.errors;
    else {
      values = typedValues(read.form);
      const result = validateForm(buildQuestionSchema([question], { lang }), read.form);
      const trap = honeypotFilled(read.form);
      const limited = result.ok && !trap ? await limitPublicForm(astro, 'resume') : null;
      // A filled honeypot looks like success to the robot and sends nothing.
      if (trap) sentTo = values.email ?? '';
      else if (!result.ok) {
        errors = result.errors;
        refuseForm(astro);
      } else if (limited) errors = [limited];
      else {
        const email = String(result.data.email);
        const token = await emailResumeLink(draft, c, email, mailLinks());
        setDraftCookie(astro, c, token);
        sentTo = email;
      }
    }
  }
  return { c, question, errors, values, sentTo, back: `/consultations/${c.slug}/respond?section=${section}` };
}

/** The e-mailed link: opens the draft in this browser and goes to the section reached. */
export async function resume(astro: Ctx): Promise<Response> {
  const c = await publicConsultation(astro);
  if (!c) return notFound();
  const draft = await openDraft(c.id, astro.url.searchParams.get('token'));
  if (!draft || stateOf(c, Date.now()) !== 'open') return seeOther(`/consultations/${c.slug}?resume=expired`).response;
  setDraftCookie(astro, c, astro.url.searchParams.get('token')!);
  const sections = shownSections(surveyOf(c), draft.answers, wardOptions());
  const next = sections.find((s) => s > draft.section) ?? (draft.section ? null : sections[0]);
  return seeOther(next ? `/consultations/${c.slug}/respond?section=${next}` : `/consultations/${c.slug}/finish`).response;
}

/** The last page: the answers with change links, the optional "about you" questions, the e-mail address when needed; POST sends. */
export async function finishPage(astro: AstroGlobal) {
  const ctx = await respondingContext(astro);
  if ('response' in ctx) return ctx;
  const { c, survey, wards, draft, answers } = ctx;
  if (!draft) return seeOther(`/consultations/${c.slug}/respond`);
  const missing = firstIncompleteSection(survey, answers, wards);
  if (missing !== null) return seeOther(`/consultations/${c.slug}/respond?section=${missing}`);
  const lang = astro.locals.lang;
  const about = c.aboutYou ? localiseQuestions(aboutYouQuestions(wards), lang, 'consultations.aboutYou') : [];
  const email = c.onePerEmail ? [emailQuestionIn(translate(lang, 'consultations.finish.email.label'), translate(lang, 'consultations.finish.email.hint'), lang)] : [];
  let errors: FieldError[] = [];
  let values: Record<string, string> = {};
  if (astro.request.method === 'POST') {
    const read = await readPageForm(astro, { multipart: false });
    if (!read.ok) errors = read.errors;
    else {
      values = typedValues(read.form);
      // A filled honeypot looks like success to the robot and stores nothing.
      if (honeypotFilled(read.form)) return seeOther(`/consultations/${c.slug}/done${c.onePerEmail ? '?confirm=1' : ''}`);
      const result = validateForm(buildQuestionSchema([...email, ...about], { lang }), read.form);
      const limited = result.ok ? await limitPublicForm(astro, 'respond') : null;
      if (!result.ok) {
        errors = result.errors;
        refuseForm(astro);
      } else if (limited) errors = [limited];
      else {
        const sent = await submitResponse(c, survey, { channel: 'online', answers, profile: { ageBand: result.data.ageBand as string | undefined, wardId: result.data.wardId as string | undefined }, email: result.data.email as string | undefined, draftId: draft.id }, wards, mailLinks());
        if (sent.ok) {
          clearDraftCookie(astro, c);
          return seeOther(`/consultations/${c.slug}/done${sent.pending ? '?confirm=1' : ''}`);
        }
        errors = [{ field: sent.field, href: `#${sent.field}`, text: sent.message }];
        refuseForm(astro);
      }
    }
  }
  const rows = summariseAnswers(engineQuestions(survey, wards), answers).map((r) => ({ ...r, href: `/consultations/${c.slug}/respond?section=${r.page}&change=1` }));
  return { c, rows, about, email, errors, values, back: `/consultations/${c.slug}/respond?section=${shownSections(survey, answers, wards).at(-1)}` };
}

/** The thank-you page. */
export async function donePage(astro: AstroGlobal) {
  const c = await publicConsultation(astro);
  if (!c) return { response: await notFound(astro) };
  return { c, confirm: astro.url.searchParams.has('confirm') };
}

/** The confirmation link of a one-response-per-address consultation: GET shows a button, POST confirms (mail scanners only GET). */
export async function confirmPage(astro: AstroGlobal) {
  const c = await publicConsultation(astro);
  if (!c) return { response: await notFound(astro) };
  const token = astro.url.searchParams.get('token') ?? '';
  let confirmed: boolean | null = null;
  let errors: FieldError[] = [];
  if (astro.request.method === 'POST') {
    const read = await readPageForm(astro, { multipart: false });
    // Once the consultation has closed a confirmation would change its results: the response stays uncounted.
    const open = stateOf(c, Date.now()) === 'open';
    confirmed = read.ok ? await confirmResponse(c.id, String(read.form.get('token') ?? ''), open) : false;
    if (!read.ok) errors = read.errors;
    else if (!confirmed) errors = [{ field: 'form', href: '#main-content', text: translate(astro.locals.lang, open ? 'consultations.confirm.error' : 'consultations.confirm.closed') }];
    if (!confirmed) refuseForm(astro);
  }
  return { c, token, confirmed, errors };
}
