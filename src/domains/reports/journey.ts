/**
 * The resident report journey: its steps, the answers each step collects, validation in GOV.UK words,
 * and where each step leads. Pure functions: no HTTP, no database.
 */
import type { SiteConfig } from '../../platform/config/partnership.ts';
import { FormReader, normaliseEmail, type FieldError } from './answers.ts';
import { toE164 } from '../../platform/uk/phone.ts';
import { londonTime } from '../../platform/time/london.ts';
import type { StoredPhoto } from './photos.ts';
import type { NewCase } from './submit.ts';
import { normalisePostcode, wardForPlace, wardForPostcode } from '../../platform/uk/postcode.ts';

/** Everything a resident has answered so far. */
export interface ReportAnswers {
  danger?: 'yes' | 'no';
  category?: string;
  description?: string;
  whenKind?: 'date' | 'approx' | 'ongoing';
  whenDay?: string;
  whenMonth?: string;
  whenYear?: string;
  whenTime?: string;
  happenedAt?: number;
  whenText?: string;
  postcode?: string;
  place?: string;
  ward?: string;
  people?: string;
  affected?: string;
  before?: 'yes' | 'no' | 'not-sure';
  photos?: StoredPhoto[];
  privacy?: 'named' | 'confidential' | 'anonymous';
  name?: string;
  email?: string;
  phone?: string;
  phoneE164?: string;
  preferredContact?: 'email' | 'phone' | 'either';
  consentShare?: 'yes' | 'no';
  /** Shown once on the confirmation page of an anonymous report. */
  trackSecret?: string;
}

/** The steps, in order. */
export const STEPS = ['danger', 'category', 'description', 'when', 'when-details', 'where', 'people', 'photos', 'privacy', 'contact', 'check'] as const;
/** One step name. */
export type Step = (typeof STEPS)[number];

/** Who is affected: the options. */
export const AFFECTED = [
  { value: 'me', label: 'Me' },
  { value: 'household', label: 'Me and my household' },
  { value: 'neighbour', label: 'A neighbour or someone I know' },
  { value: 'community', label: 'The wider community' },
  { value: 'someone-else', label: 'Someone else' },
] as const;

/** Privacy choices, each explained. */
export const PRIVACY = [
  { value: 'named', label: 'Named', hint: 'We can share your name and contact details with partner agencies working on your report, such as the police.' },
  { value: 'confidential', label: 'Confidential', hint: 'Only our team sees your details. Partners see them only if you agree below.' },
  { value: 'anonymous', label: 'Anonymous', hint: 'We do not ask who you are. We cannot contact you, but you can check progress with a tracking code.' },
] as const;

/** The step that follows a step, given the answers. */
export function nextStep(step: Step, a: ReportAnswers): Step | 'emergency' | 'submit' {
  switch (step) {
    case 'danger':
      return a.danger === 'yes' ? 'emergency' : 'category';
    case 'privacy':
      return a.privacy === 'anonymous' ? 'check' : 'contact';
    case 'check':
      return 'submit';
    default:
      return STEPS[STEPS.indexOf(step) + 1]!;
  }
}

/** The step before a step (for back links). */
export function previousStep(step: Step, a: ReportAnswers): Step | 'start' {
  if (step === 'danger') return 'start';
  if (step === 'check') return a.privacy === 'anonymous' ? 'privacy' : 'contact';
  return STEPS[STEPS.indexOf(step) - 1]!;
}

/** The first step whose answers are missing (the journey cannot skip ahead), or null when complete. */
export function firstIncompleteStep(a: ReportAnswers): Step | null {
  if (a.danger !== 'no') return 'danger';
  if (!a.category) return 'category';
  if (!a.description) return 'description';
  if (!a.whenKind) return 'when';
  if (a.whenKind === 'date' ? a.happenedAt === undefined : !a.whenText) return 'when-details';
  if (!a.ward) return 'where';
  if (!a.affected || !a.before) return 'people';
  if (!a.privacy) return 'privacy';
  if (a.privacy !== 'anonymous' && !a.email && !a.phoneE164) return 'contact';
  return null;
}

/** True when a step may be shown given what has been answered so far. */
export function canVisit(step: Step, a: ReportAnswers): boolean {
  const missing = firstIncompleteStep(a);
  if (missing === null) return step !== 'contact' || a.privacy !== 'anonymous';
  return STEPS.indexOf(step) <= STEPS.indexOf(missing);
}

/** True when the chosen category is sensitive (the journey then shows "Exit this page"). */
export function isSensitive(a: ReportAnswers, config: SiteConfig): boolean {
  return !!config.categories.find((c) => c.id === a.category)?.sensitive;
}

/** Result of reading one step's form. */
export interface StepResult {
  answers: Partial<ReportAnswers>;
  errors: FieldError[];
  values: Record<string, string>;
}

/** Read a day/month/year (and optional HH:MM) in UK local time; returns epoch ms or an error text. */
export function readDate(day: string, month: string, year: string, time: string, now: number): number | string {
  if (!day && !month && !year) return 'Enter the date it happened';
  if (!day) return 'Date it happened must include a day';
  if (!month) return 'Date it happened must include a month';
  if (!year) return 'Date it happened must include a year';
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) return 'Date it happened must be a real date';
  const d = Number(day);
  const mo = Number(month);
  const y = Number(year);
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) return 'Date it happened must be a real date';
  let hours = 12;
  let minutes = 0;
  if (time) {
    const t = /^(\d{1,2})[:.](\d{2})$/.exec(time.trim());
    if (!t || Number(t[1]) > 23 || Number(t[2]) > 59) return 'Time must be a real time, like 21:30';
    hours = Number(t[1]);
    minutes = Number(t[2]);
  }
  const at = londonTime(y, mo, d, hours + minutes / 60);
  if (at > now + 5 * 60_000) return 'Date it happened must be today or in the past';
  if (y < 1900) return 'Date it happened must be after 1900';
  return at;
}

/** Read and check one step's form. */
export function readStep(step: Step, form: FormData, a: ReportAnswers, config: SiteConfig, now = Date.now()): StepResult {
  const r = new FormReader(form);
  const answers: Partial<ReportAnswers> = {};
  const values: Record<string, string> = {};
  switch (step) {
    case 'danger':
      answers.danger = r.choice('danger', ['yes', 'no'] as const, 'Select yes if anyone is in danger right now');
      break;
    case 'category':
      answers.category = r.choice('category', config.categories.map((c) => c.id), 'Select what your report is about');
      break;
    case 'description':
      answers.description = r.text('description', 'What happened', { max: 5000, multiline: true, required: 'Enter what happened' });
      if (answers.description && answers.description.length < 10 && r.ok) r.fail('description', 'What happened must be 10 characters or more');
      break;
    case 'when':
      answers.whenKind = r.choice('whenKind', ['date', 'approx', 'ongoing'] as const, 'Select when it happened');
      break;
    case 'when-details':
      if (a.whenKind === 'date') {
        const day = r.text('when-day', 'Day', { max: 2 });
        const month = r.text('when-month', 'Month', { max: 2 });
        const year = r.text('when-year', 'Year', { max: 4 });
        const time = r.text('when-time', 'Time', { max: 5 });
        Object.assign(values, { whenDay: day, whenMonth: month, whenYear: year, whenTime: time });
        Object.assign(answers, { whenDay: day, whenMonth: month, whenYear: year, whenTime: time });
        if (r.ok) {
          const at = readDate(day, month, year, time, now);
          if (typeof at === 'string') r.fail(/^Time/.test(at) ? 'when-time' : 'when-day', at);
          else answers.happenedAt = at;
        }
      } else {
        const label = a.whenKind === 'ongoing' ? 'How often it happens' : 'Roughly when it happened';
        answers.whenText = r.text('whenText', label, { max: 500, required: a.whenKind === 'ongoing' ? 'Enter how often it happens' : 'Enter roughly when it happened' });
      }
      break;
    case 'where': {
      const postcodeRaw = r.text('postcode', 'Postcode', { max: 12 });
      const place = r.text('place', 'Street or place', { max: 500 });
      const wardRaw = r.choice('ward', config.areas.filter((x) => x.kind === 'ward').map((x) => x.id), null);
      Object.assign(values, { postcode: postcodeRaw, place, ward: wardRaw ?? '' });
      answers.place = place;
      let ward: string | null = wardRaw ?? null;
      if (postcodeRaw) {
        const pc = normalisePostcode(postcodeRaw);
        if (!pc) r.fail('postcode', 'Enter a real postcode, like HW1 2AB');
        else {
          answers.postcode = pc;
          values.postcode = pc;
          ward = wardRaw ?? wardForPostcode(pc, config.gazetteer);
          if (!ward) r.fail('ward', `We could not find ${pc} in our area: select the ward where it happened`);
        }
      } else {
        answers.postcode = '';
      }
      if (!postcodeRaw && !place) r.fail('postcode', 'Enter a postcode or describe the street or place');
      if (!ward && place && r.ok) ward = wardForPlace(place, config.gazetteer);
      if (!ward && r.ok) r.fail('ward', 'Select the ward where it happened');
      if (ward) answers.ward = ward;
      break;
    }
    case 'people':
      answers.people = r.text('people', 'People or vehicles involved', { max: 2000, multiline: true });
      answers.affected = r.choice('affected', AFFECTED.map((x) => x.value), 'Select who is affected');
      answers.before = r.choice('before', ['yes', 'no', 'not-sure'] as const, 'Select whether this has happened before');
      break;
    case 'privacy':
      answers.privacy = r.choice('privacy', PRIVACY.map((p) => p.value), 'Select how you want us to treat your details');
      break;
    case 'contact': {
      const name = r.text('name', 'Your name', { max: 120, required: 'Enter your name' });
      const emailRaw = r.text('email', 'Email address', { max: 254 });
      const phoneRaw = r.text('phone', 'Phone number', { max: 30 });
      Object.assign(values, { name, email: emailRaw, phone: phoneRaw });
      answers.name = name;
      answers.email = '';
      answers.phone = phoneRaw;
      answers.phoneE164 = '';
      if (emailRaw) {
        const email = normaliseEmail(emailRaw);
        if (!email) r.fail('email', 'Enter an email address in the correct format, like name@example.com');
        else answers.email = email;
      }
      if (phoneRaw) {
        const e164 = toE164(phoneRaw);
        if (!e164) r.fail('phone', 'Enter a UK phone number, like 01632 960 001 or 07700 900 982');
        else answers.phoneE164 = e164;
      }
      if (!emailRaw && !phoneRaw) r.fail('email', 'Enter an email address or a phone number so we can contact you');
      answers.preferredContact = r.choice('preferredContact', ['email', 'phone', 'either'] as const, 'Select how you would like us to contact you');
      if (answers.preferredContact === 'email' && !emailRaw && !r.error('email')) r.fail('email', 'Enter an email address, or choose phone as the way to contact you');
      if (answers.preferredContact === 'phone' && !phoneRaw && !r.error('phone')) r.fail('phone', 'Enter a phone number, or choose email as the way to contact you');
      answers.consentShare = r.choice('consentShare', ['yes', 'no'] as const, 'Select yes if we may share your details with partner agencies');
      break;
    }
    case 'photos':
    case 'check':
      break;
  }
  for (const [k, v] of Object.entries(answers)) if (typeof v === 'string' && !(k in values)) values[k] = v;
  return { answers, errors: r.errors, values };
}

/** The case a completed web report makes (the idempotency key ties it to its draft). */
export function caseFromAnswers(a: ReportAnswers, idempotencyKey: string): NewCase {
  return {
    kind: 'report',
    channel: 'web',
    categoryId: a.category,
    description: a.description!,
    whenKind: a.whenKind,
    happenedAt: a.happenedAt ?? null,
    whenText: a.whenText ?? null,
    postcode: a.postcode,
    locationText: a.place,
    wardId: a.ward,
    peopleInvolved: a.people,
    whoAffected: a.affected,
    happenedBefore: a.before,
    privacy: a.privacy!,
    consentShare: a.consentShare === 'yes',
    reporter: a.privacy === 'anonymous' ? null : { name: a.name, email: a.email, phoneE164: a.phoneE164, preferredContact: a.preferredContact },
    photos: a.photos ?? [],
    idempotencyKey,
  };
}
