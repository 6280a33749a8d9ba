/**
 * Every report question, defined once as data: words, options, checks, GOV.UK messages and summary rows.
 * The web journey asks them one page at a time; the call screen asks them on one form (with the "call"
 * variant's words); check answers and the case page summarise them. Pure: no HTTP, no database.
 */
import { z } from 'zod';
import { formatDate, formatTime } from '../../platform/time/london.ts';
import { isInBounds } from '../../platform/map.ts';
import type { SiteConfig } from '../../platform/config/partnership.ts';
import { translateOr } from '../../platform/i18n/index.ts';
import { buildQuestionSchema, localiseQuestions, type Answers, type CrossCheck, type DateAnswer, type Question, type QuestionOption } from '../../platform/questions/index.ts';
import { formatUkPhone, toE164 } from '../../platform/uk/phone.ts';
import { normalisePostcode, wardForPlace } from '../../platform/uk/postcode.ts';
import { locatePostcode, neighbourFor, outOfAreaMessage } from '../geography/index.ts';
import { normaliseEmail } from './answers.ts';

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

const YES_NO: QuestionOption[] = [{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }];
const BEFORE: QuestionOption[] = [...YES_NO, { value: 'not-sure', label: 'Not sure' }];
const CONTACT_BY: QuestionOption[] = [{ value: 'email', label: 'Email' }, { value: 'phone', label: 'Phone' }, { value: 'either', label: 'Either' }];

/** The words for a stored preferred way of contact ("email" is "Email"). */
export function describePreferredContact(value: string, lang = 'en'): string {
  const label = CONTACT_BY.find((o) => o.value === value)?.label;
  return label ? translateOr(lang, `q.preferredContact.option.${value}`, label) : value;
}
const NAMED = { key: 'privacy', in: ['named', 'confidential'] } as const;
/** Consent to share is asked only of a confidential reporter: a named reporter has agreed to share (the Named hint says so). */
const CONFIDENTIAL = { key: 'privacy', in: ['confidential'] } as const;

/** The one rule for both channels: named shares with partners, confidential only with consent, anonymous has nothing to share. */
export function sharesDetails(privacy: unknown, consentShare: unknown): boolean | null {
  if (privacy === 'named') return true;
  if (privacy === 'confidential') return consentShare === 'yes';
  return null;
}

/** Messages of the report's questions that the checks across questions use. */
export const REPORT_MESSAGES = {
  emailFormat: 'Enter an email address in the correct format, like name@example.com',
  phoneFormat: 'Enter a UK phone number, like 01632 960 001 or 07700 900 982',
  postcodeFormat: 'Enter a real postcode, like HW1 2AB',
  noPlace: 'Enter a postcode or describe the street or place',
  noWard: 'Select the ward where it happened',
  emailOrPhone: 'Enter an email address or a phone number so we can contact you',
  emailForContact: 'Enter an email address, or choose phone as the way to contact you',
  phoneForContact: 'Enter a phone number, or choose email as the way to contact you',
} as const;

/** The report's messages in a language (`report.message.<name>` keys; English when the catalogue has none). */
export function reportMessages(lang = 'en'): Record<keyof typeof REPORT_MESSAGES, string> {
  return Object.fromEntries(Object.entries(REPORT_MESSAGES).map(([k, v]) => [k, translateOr(lang, `report.message.${k}`, v)])) as Record<keyof typeof REPORT_MESSAGES, string>;
}

/** "We could not find HW9 9ZZ in our area" (a postcode of the area that the gazetteer does not know). */
export function postcodeNotFound(postcode: string, lang = 'en'): string {
  return translateOr(lang, 'report.message.postcodeNotFound', 'We could not find {postcode} in our area: select the ward where it happened', { postcode });
}

/** A postcode outside the partnership's area, and where to report instead (the neighbouring authority when configured). */
export function postcodeOutOfArea(postcode: string, config: SiteConfig, lang = 'en'): string {
  if (neighbourFor(postcode, config.neighbours)) return outOfAreaMessage(postcode, config);
  const english = '{postcode} is not in the area {partnership} covers. Report it to the local council for that area (find it at www.gov.uk/find-local-council), or call {number} about a crime';
  return translateOr(lang, 'report.message.postcodeOutOfArea', english, { postcode, partnership: config.partnership.name, number: config.partnership.phones.nonEmergency.number });
}

/** Messages for a pin dropped on the map (the where step's optional lat and lon). */
export const PIN_MESSAGES = {
  half: 'The pin on the map must have both a latitude and a longitude. Drop the pin again, or remove it',
  number: 'The pin on the map must be in decimal degrees, like 52.95 and -1.5. Drop the pin again, or remove it',
  outside: (config: SiteConfig) => `The pin is not in the area ${config.partnership.name} covers. Drop it inside the area, or remove it and report it to the local council for that area (find it at www.gov.uk/find-local-council)`,
} as const;

/** The pin's messages in a language (`report.message.pin.<name>` keys; English otherwise). */
export function pinMessages(config: SiteConfig, lang = 'en'): { half: string; number: string; outside: string } {
  return {
    half: translateOr(lang, 'report.message.pin.half', PIN_MESSAGES.half),
    number: translateOr(lang, 'report.message.pin.number', PIN_MESSAGES.number),
    outside: translateOr(lang, 'report.message.pin.outside', PIN_MESSAGES.outside(config).replace(config.partnership.name, '{partnership}'), { partnership: config.partnership.name }),
  };
}

/** The form field a pin's errors are about (the map's error message carries this id). */
export const PIN_FIELD = 'pin';

const DEGREES = /^-?\d{1,3}(\.\d{1,15})?$/;

/**
 * The optional pin of the where step: hidden `lat` and `lon` fields (decimal degrees) filled by the map
 * island; both or neither, numbers, and inside the partnership's map bounds when they are configured.
 */
export function pinSchema(config: SiteConfig, lang = 'en') {
  const messages = pinMessages(config, lang);
  const field = z.preprocess((v) => (typeof v === 'string' ? v.trim() : v === undefined || v === null ? '' : '?'), z.string().max(24, messages.number));
  return z.object({ lat: field, lon: field }).transform((p, ctx): { lat: number; lon: number } | null => {
    if (!p.lat && !p.lon) return null;
    const refuse = (message: string) => {
      ctx.addIssue({ code: 'custom', message, path: [PIN_FIELD] });
      return z.NEVER;
    };
    if (!p.lat || !p.lon) return refuse(messages.half);
    const lat = Number(p.lat);
    const lon = Number(p.lon);
    if (!DEGREES.test(p.lat) || !DEGREES.test(p.lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return refuse(messages.number);
    const bounds = config.partnership.map?.bounds;
    if (bounds && !isInBounds(bounds, lat, lon)) return refuse(messages.outside);
    return { lat, lon };
  });
}

/** A page's question schema with the where step's pin read alongside: one parse, every message in one summary (the pin's last). */
function withPin(schema: ZodAnswers, config: SiteConfig, lang = 'en'): ZodAnswers {
  const pin = pinSchema(config, lang);
  return z.record(z.string(), z.unknown()).transform((input, ctx): Answers => {
    const answers = schema.safeParse(input);
    const dropped = pin.safeParse(input);
    for (const issue of [...(answers.success ? [] : answers.error.issues), ...(dropped.success ? [] : dropped.error.issues)]) {
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    }
    if (!answers.success || !dropped.success) return {};
    // A pin wins over the postcode's centroid (set by the where check).
    return dropped.data ? { ...answers.data, lat: dropped.data.lat, lon: dropped.data.lon, locationSource: 'pin' } : answers.data;
  });
}

type ZodAnswers = z.ZodType<Answers, Record<string, unknown>>;

/** Words for when it happened, from the answers (a date and time, roughly when, or how often). */
export function describeWhen(a: Readonly<Answers>, lang = 'en'): string {
  const at = (a.when as DateAnswer | undefined)?.at;
  if (a.whenKind === 'date' && at !== undefined) {
    return formatDate(at, lang) + ((a.when as DateAnswer).time ? `, ${formatTime(at)}` : '');
  }
  if (a.whenKind === 'ongoing') return translateOr(lang, 'report.stillHappening', 'Still happening: {often}', { often: String(a.whenText ?? '') });
  return String(a.whenText ?? '');
}

/** The wards as options, "Ward (District)", in alphabetical order. */
export function wardOptions(config: SiteConfig): QuestionOption[] {
  const districts = new Map(config.areas.filter((a) => a.kind === 'district').map((d) => [d.id, d.name]));
  return config.areas
    .filter((a) => a.kind === 'ward')
    .map((w) => ({ value: w.id, label: `${w.name} (${districts.get(w.parent!) ?? ''})` }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** The report questions, in journey order, with their words in `lang` (localiseQuestions); each names its journey page. */
export function reportQuestions(config: SiteConfig, lang = 'en'): Question[] {
  const messages = reportMessages(lang);
  const parseEmail = (v: string) => {
    const email = normaliseEmail(v);
    return email ? { ok: true as const, value: email } : { ok: false as const, message: messages.emailFormat };
  };
  const parsePhone = (v: string) => {
    const e164 = toE164(v);
    return e164 ? { ok: true as const, value: e164 } : { ok: false as const, message: messages.phoneFormat };
  };
  const parsePostcode = (v: string) => {
    const pc = normalisePostcode(v);
    return pc ? { ok: true as const, value: pc } : { ok: false as const, message: messages.postcodeFormat };
  };
  const wards = wardOptions(config);
  const categories = config.categories.map((c, i) => ({
    value: c.id,
    label: translateOr(lang, `category.${c.id}.name`, c.name),
    hint: c.hint ? translateOr(lang, `category.${c.id}.hint`, c.hint) : c.hint,
    ...(i === config.categories.length - 1 ? { divider: 'or' } : {}),
  }));
  const wardName = (id: unknown) => config.areas.find((x) => x.id === id)?.name;
  const yesNo = (yes: boolean) => translateOr(lang, yes ? 'q.consentShare.option.yes' : 'q.consentShare.option.no', yes ? 'Yes' : 'No');
  return localiseQuestions([
    {
      type: 'choice', key: 'danger', page: 'danger', label: 'Is anyone in danger right now?', inline: true, options: YES_NO, summary: false,
      hint: 'For example, someone is hurt, being threatened, or a crime is happening now',
      required: 'Select yes if anyone is in danger right now',
      variants: { call: { hint: 'Ask first. If yes, tell the caller to hang up and ring 999.' } },
    },
    {
      type: 'choice', key: 'category', page: 'category', label: 'What is your report about?', options: categories,
      hint: 'Choose the closest match. You can tell us more on the next page',
      required: 'Select what your report is about',
      summary: { key: 'What it is about', change: 'what it is about' },
      variants: { call: { label: 'What is it about?', hint: '', display: 'select' } },
      placeholder: 'Choose a category',
    },
    {
      type: 'text', key: 'description', page: 'description', label: 'What happened?', messageLabel: 'What happened', multiline: true, max: 5000, rows: 8,
      hint: 'Say what you saw or heard, and how it affects you. Only tell us facts you know. Do not worry about spelling',
      required: 'Enter what happened', min: { length: 10, message: 'What happened must be 10 characters or more' },
      summary: { key: 'What happened', change: 'what happened' },
      variants: { call: { label: 'What happened', hint: '' } },
    },
    {
      type: 'choice', key: 'whenKind', page: 'when', label: 'When did it happen?', required: 'Select when it happened',
      options: [
        { value: 'date', label: 'I know the date', hint: 'You can add the time too' },
        { value: 'approx', label: 'I am not sure exactly', hint: 'Tell us roughly when' },
        { value: 'ongoing', label: 'It is still happening or keeps happening', hint: 'Tell us how often' },
      ],
      summary: { key: 'When', change: 'when it happened', format: (_, a) => describeWhen(a, lang) },
    },
    {
      type: 'date', key: 'when', page: 'when-details', label: 'What date did it happen?', time: true, showWhen: { key: 'whenKind', in: ['date'] }, summary: false,
      hint: 'For example, 27 3 2026. Add the time if you know it',
      messages: {
        required: 'Enter the date it happened',
        missingDay: 'Date it happened must include a day',
        missingMonth: 'Date it happened must include a month',
        missingYear: 'Date it happened must include a year',
        real: 'Date it happened must be a real date',
        future: 'Date it happened must be today or in the past',
        tooEarly: 'Date it happened must be after 1900',
        time: 'Time must be a real time, like 21:30 or 9pm',
      },
      variants: { call: { label: 'Date it happened', hint: '' } },
    },
    {
      type: 'text', key: 'whenText', page: 'when-details', label: 'Roughly when did it happen?', messageLabel: 'Roughly when it happened', max: 500, summary: false,
      showWhen: { key: 'whenKind', in: ['approx'] }, required: 'Enter roughly when it happened',
      hint: 'For example, last week, or an evening in early March',
      variants: { call: { label: 'Roughly when, or how often', hint: '' } },
    },
    {
      type: 'text', key: 'whenText', page: 'when-details', label: 'How often does it happen?', messageLabel: 'How often it happens', max: 500, summary: false,
      showWhen: { key: 'whenKind', in: ['ongoing'] }, required: 'Enter how often it happens',
      hint: 'For example, most weekends after 10pm',
      variants: { call: { label: 'Roughly when, or how often', hint: '' } },
    },
    {
      type: 'text', key: 'postcode', page: 'where', label: 'Postcode', messageLabel: 'Postcode', max: 12, width: '10', autocomplete: 'postal-code', parse: parsePostcode,
      hint: 'For example, HW1 2AB. Give a postcode, a street or place, or both',
      summary: { key: 'Where', change: 'where it happened', format: (_, a) => [a.postcode, a.place, wardName(a.ward), a.locationSource === 'pin' && 'Pin dropped on the map'].filter(Boolean).join(', ') },
      variants: { call: { label: 'Postcode', hint: 'Or give the street or place below' } },
    },
    {
      type: 'text', key: 'place', page: 'where', label: 'Street or place', messageLabel: 'Street or place', max: 500, summary: false,
      hint: 'Needed if you do not give a postcode. For example, the bus shelter outside 12 Mill Lane',
      variants: { call: { label: 'Street or place', hint: '' } },
    },
    {
      type: 'choice', key: 'ward', page: 'where', label: 'Ward (optional)', display: 'select', options: wards, summary: false,
      hint: 'The area of the council where it happened. Only needed if we cannot find it from the postcode or place',
      invalid: messages.noWard, placeholder: 'Choose a ward',
      variants: { call: { label: 'Ward', hint: 'Found from the postcode or place when left blank' } },
    },
    {
      type: 'text', key: 'people', page: 'people', label: 'People or vehicles involved (optional)', messageLabel: 'People or vehicles involved', multiline: true, max: 2000, rows: 4,
      hint: "Describe what they looked like, or a vehicle's colour, make and number plate. Only say who they are if you know",
      summary: { key: 'People or vehicles involved', change: 'people or vehicles involved' },
      variants: { call: { hint: '' } },
    },
    {
      type: 'choice', key: 'affected', page: 'people', label: 'Who is affected?', options: AFFECTED, required: 'Select who is affected',
      summary: { key: 'Who is affected', change: 'who is affected' }, placeholder: 'Choose who is affected',
      variants: { call: { display: 'select' } },
    },
    {
      type: 'choice', key: 'before', page: 'people', label: 'Has this happened before?', options: BEFORE, inline: true,
      required: 'Select whether this has happened before',
      summary: { key: 'Happened before', change: 'whether it happened before' },
    },
    {
      type: 'choice', key: 'privacy', page: 'privacy', label: 'How should we treat your details?', options: PRIVACY,
      hint: 'Whatever you choose, your report is never published',
      required: 'Select how you want us to treat your details',
      summary: { key: 'Your details', change: 'how we treat your details' },
      variants: { call: { label: 'How does the caller want us to treat their details?', hint: 'Read the three choices to the caller; their spoken answer is recorded.' } },
    },
    {
      type: 'text', key: 'name', page: 'contact', label: 'Your name', messageLabel: 'Your name', max: 120, required: 'Enter your name', showWhen: NAMED,
      autocomplete: 'name', spellcheck: false, summary: { key: 'Name', change: 'your name' },
    },
    {
      type: 'text', key: 'email', page: 'contact', label: 'Email address (optional if you give a phone number)', messageLabel: 'Email address', max: 254, showWhen: NAMED,
      input: 'email', autocomplete: 'email', spellcheck: false, parse: parseEmail,
      hint: 'We will send your reference number to this address',
      summary: { key: 'Email address', change: 'your email address' },
    },
    {
      type: 'text', key: 'phone', page: 'contact', label: 'UK phone number (optional if you give an email address)', messageLabel: 'Phone number', max: 30, showWhen: NAMED,
      input: 'tel', autocomplete: 'tel', width: '20', parse: parsePhone,
      hint: 'For example, 01632 960 001 or 07700 900 982',
      summary: { key: 'Phone number', change: 'your phone number', format: (v) => (typeof v === 'string' && v ? formatUkPhone(v) : '') },
    },
    {
      type: 'choice', key: 'preferredContact', page: 'contact', label: 'How would you like us to contact you?', options: CONTACT_BY, showWhen: NAMED,
      required: 'Select how you would like us to contact you',
      summary: { key: 'Contact by', change: 'how to contact you' },
      variants: { call: { label: 'How would they like us to contact them?' } },
    },
    {
      type: 'choice', key: 'consentShare', page: 'contact', label: 'Can we share your details with partner agencies?', options: YES_NO, inline: true, showWhen: CONFIDENTIAL,
      hint: 'For example, the police or a housing provider working on your report',
      required: 'Select yes if we may share your details with partner agencies',
      summary: { key: 'Share with partners', change: 'whether we can share your details', format: (v, a) => yesNo(!!sharesDetails(a.privacy, v)) },
      variants: { call: { label: 'Did the caller agree we may share their details with partner agencies?', hint: 'Asked by voice; only for confidential reports.' } },
    },
  ], lang);
}

/** One report question by key (the first, for keys asked in more than one way). */
export function reportQuestion(config: SiteConfig, key: string): Question {
  const q = reportQuestions(config).find((x) => x.key === key);
  if (!q) throw new Error(`No report question '${key}'`);
  return q;
}

/**
 * Where it happened: a postcode or a place, and the ward worked out again from them on every answer. A ward
 * posted with the answer (picked on this visit: the journey never pre-fills it) is kept; otherwise the
 * postcode's ward (the postcode table, else its sector in the gazetteer), else the place's. A postcode outside
 * the partnership's area is refused. Sets `ward`, and the coordinates: a pin's (lat and lon answered) win, else
 * the postcode's centroid from the postcode table (locationSource 'postcode'), else none.
 */
export function whereCheck(config: SiteConfig, fields: { postcode: string; place: string; ward: string } = { postcode: 'postcode', place: 'place', ward: 'ward' }, lang = 'en'): CrossCheck {
  const messages = reportMessages(lang);
  return (a, { fail, failed }) => {
    const postcode = typeof a.postcode === 'string' ? a.postcode : '';
    const place = typeof a.place === 'string' ? a.place : '';
    let ward = typeof a.ward === 'string' && a.ward ? a.ward : null;
    const located = postcode ? locatePostcode(postcode, config) : null;
    if (postcode && located?.kind === 'out-of-area') {
      fail(fields.postcode, postcodeOutOfArea(postcode, config, lang));
      return;
    }
    if (postcode && !ward) {
      ward = located && located.kind !== 'out-of-area' ? located.wardId : null;
      if (!ward) fail(fields.ward, postcodeNotFound(postcode, lang));
    }
    setCoordinates(a, located);
    if (!postcode && !place && !failed(fields.postcode)) fail(fields.postcode, messages.noPlace);
    const ok = !failed(fields.postcode) && !failed(fields.place) && !failed(fields.ward);
    if (!ward && place && ok) ward = wardForPlace(place, config.gazetteer);
    if (!ward && ok) fail(fields.ward, messages.noWard);
    if (ward) a.ward = ward;
    else delete a.ward;
  };
}

/** The answers' coordinates: a pin's when answered, else a known postcode's centroid, else none. */
function setCoordinates(a: Answers, located: ReturnType<typeof locatePostcode> | null) {
  if (typeof a.lat === 'number' && typeof a.lon === 'number') {
    a.locationSource ??= 'pin';
  } else if (located?.kind === 'known' && located.lat !== null && located.lon !== null) {
    Object.assign(a, { lat: located.lat, lon: located.lon, locationSource: 'postcode' });
  } else {
    delete a.lat;
    delete a.lon;
    delete a.locationSource;
  }
}

/** The contact page: an e-mail address or a phone number, and the one chosen as the way to contact. */
export function contactCheck(lang = 'en'): CrossCheck {
  const messages = reportMessages(lang);
  return (a, { fail, failed }) => {
    if (!a.email && !a.phone && !failed('email') && !failed('phone')) fail('email', messages.emailOrPhone);
    if (a.preferredContact === 'email' && !a.email && !failed('email')) fail('email', messages.emailForContact);
    if (a.preferredContact === 'phone' && !a.phone && !failed('phone')) fail('phone', messages.phoneForContact);
  };
}

/** The schema for one journey page, given the answers from earlier pages, with its messages in `lang`. */
export function reportPageSchema(config: SiteConfig, page: string, earlier: Readonly<Answers>, now = Date.now(), lang = 'en') {
  const questions = reportQuestions(config, lang).filter((q) => q.page === page);
  const checks = page === 'where' ? [whereCheck(config, undefined, lang)] : page === 'contact' ? [contactCheck(lang)] : [];
  const schema = buildQuestionSchema(questions, { earlier, checks, now, lang });
  return page === 'where' ? withPin(schema, config, lang) : schema;
}

/** Stored answers as the engine's answers (the draft keeps a date as its parts and its moment). */
export function engineAnswers(a: Readonly<Record<string, unknown>>): Answers {
  const out: Answers = { ...a, phone: a.phoneE164 || undefined };
  if (a.happenedAt !== undefined && a.happenedAt !== null) {
    out.when = { day: String(a.whenDay ?? ''), month: String(a.whenMonth ?? ''), year: String(a.whenYear ?? ''), time: String(a.whenTime ?? ''), at: Number(a.happenedAt) };
  }
  return out;
}
