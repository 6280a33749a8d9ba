/** Glue for the public meeting pages: details and registration, the calendar file, and giving up a place. */
import type { APIContext, AstroGlobal } from 'astro';
import { accessWords, cancelRegistration, findConsultation, findMeeting, listUpcomingMeetings, meetingCalendar, meetingsCalendar, meetingWhen, placesOf, registrationQuestions, registerForMeeting, stateOf, type Meeting } from '../../domains/consultations/index.ts';
import { buildQuestionSchema, localiseQuestions } from '../../platform/questions/index.ts';
import { translate, translateOr } from '../../platform/i18n/index.ts';
import { notFound } from '../guards.ts';
import { readPageForm, refuseForm, seeOther, typedValues, validateForm, type FieldError } from '../forms.ts';
import { emailQuestionIn, honeypotFilled, limitPublicForm, mailLinks } from './common.ts';

/** The catalogue keys of the registration refusals residents can meet (the domain words them in English). */
const REFUSALS: Readonly<Record<string, string>> = {
  'This meeting has started, so registration has closed': 'meetings.error.started',
};

/** A meeting of a published consultation, with its consultation, or null. */
async function publicMeeting(id: string | undefined) {
  const m = await findMeeting(id ?? '');
  if (!m) return null;
  const c = await findConsultation(m.consultationId);
  return c && stateOf(c, Date.now()) !== 'draft' ? { m, c } : null;
}

/** The meeting page, in the request's language: GET shows it with the registration form; POST registers (a place, or the waiting list). */
export async function meetingPage(astro: AstroGlobal) {
  const found = await publicMeeting(astro.params.id);
  if (!found) return { response: await notFound(astro) };
  const { m, c } = found;
  const lang = astro.locals.lang;
  const questions = localiseQuestions(registrationQuestions(), lang, 'meetings.q').map((q) => (q.key === 'email' ? emailQuestionIn(q.label, q.hint ?? '', lang) : q));
  let errors: FieldError[] = [];
  let values: Record<string, string> = {};
  const now = Date.now();
  if (astro.request.method === 'POST') {
    const read = await readPageForm(astro, { multipart: false });
    if (!read.ok) errors = read.errors;
    else {
      values = typedValues(read.form);
      // A filled honeypot looks like success to the robot and stores nothing.
      if (honeypotFilled(read.form)) return seeOther(`/meetings/${m.id}?registered=booked`);
      const result = validateForm(buildQuestionSchema(questions, { lang }), read.form);
      const limited = result.ok ? await limitPublicForm(astro, 'register') : null;
      if (!result.ok) errors = result.errors;
      else if (limited) errors = [limited];
      else {
        const r = await registerForMeeting(m.id, { name: String(result.data.name), email: String(result.data.email), accessNeeds: String(result.data.accessNeeds ?? '') }, mailLinks(), now);
        if (r.ok) return seeOther(`/meetings/${m.id}?registered=${r.state}`);
        errors = [{ field: r.field, href: `#${r.field === 'form' ? 'main-content' : r.field}`, text: REFUSALS[r.message] ? translateOr(lang, REFUSALS[r.message]!, r.message) : r.message }];
      }
    }
    if (errors.length) refuseForm(astro);
  }
  const places = await placesOf(m.id);
  const registered = astro.url.searchParams.get('registered');
  return {
    m, c, questions, values, errors, when: meetingWhen(m, lang), access: accessWords(m, lang), started: m.startsAt <= now,
    placesLeft: Math.max(0, m.capacity - places.booked), registered: registered === 'booked' || registered === 'waiting' ? registered : null,
  };
}

/** The meeting's calendar file. */
export async function calendarFile(ctx: Pick<APIContext, 'params'>): Promise<Response> {
  const found = await publicMeeting(ctx.params.id);
  if (!found) return notFound();
  return new Response(meetingCalendar(found.m as Meeting, mailLinks()), { headers: { 'Content-Type': 'text/calendar; charset=utf-8', 'Content-Disposition': `attachment; filename="meeting-${found.m.id}.ics"` } });
}

/** Giving up a place from the e-mailed link: GET shows a button (mail scanners only GET), POST cancels and promotes the first waiting. */
export async function cancelPage(astro: AstroGlobal) {
  const found = await publicMeeting(astro.params.id);
  if (!found) return { response: await notFound(astro) };
  let done: boolean | null = null;
  let errors: FieldError[] = [];
  if (astro.request.method === 'POST') {
    const read = await readPageForm(astro, { multipart: false });
    done = read.ok ? await cancelRegistration(found.m.id, String(read.form.get('token') ?? ''), mailLinks()) : false;
    if (!read.ok) errors = read.errors;
    else if (!done) errors = [{ field: 'form', href: '#main-content', text: translate(astro.locals.lang, 'meetings.cancel.error') }];
    if (!done) refuseForm(astro);
  }
  return { m: found.m, token: astro.url.searchParams.get('token') ?? '', done, errors, when: meetingWhen(found.m, astro.locals.lang) };
}

/** The public meetings calendar feed (iCalendar): every upcoming meeting, for calendar apps to subscribe to. */
export async function meetingsFeed(): Promise<Response> {
  return new Response(meetingsCalendar(await listUpcomingMeetings(), mailLinks()), { headers: { 'Content-Type': 'text/calendar; charset=utf-8', 'Cache-Control': 'no-cache' } });
}
