/**
 * The resident report journey: its steps, the answers each step collects, validation in GOV.UK words,
 * and where each step leads. Pure functions: no HTTP, no database.
 */
import type { SiteConfig } from '../../platform/config/partnership.ts';
import type { FieldError } from '../../platform/forms/index.ts';
import { typedValues, validateForm } from '../../platform/forms/index.ts';
import type { Answers, DateAnswer } from '../../platform/questions/index.ts';
import { engineAnswers, reportPageSchema, sharesDetails } from './questions.ts';
import type { StoredPhoto } from './photos.ts';
import type { NewCase } from './submit.ts';

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
  /** A pin dropped on the map (WGS84 decimal degrees); absent when none was dropped. */
  lat?: number;
  lon?: number;
  /** Where lat and lon came from. */
  locationSource?: 'postcode' | 'pin' | 'api';
  /** A similar open report near here (found after the where step); the resident chooses to join it or not. */
  similar?: SimilarReportAnswer;
  joinChoice?: 'join' | 'new';
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

/** What the draft keeps of a similar report nearby: no reference, description or personal data. */
export interface SimilarReportAnswer {
  id: string;
  categoryId: string;
  wardId: string | null;
  receivedAt: number;
}

/** The steps, in order ("nearby" only when a similar report was found). */
export const STEPS = ['danger', 'category', 'description', 'when', 'when-details', 'where', 'nearby', 'people', 'photos', 'privacy', 'contact', 'check'] as const;
/** One step name. */
export type Step = (typeof STEPS)[number];

export { AFFECTED, PRIVACY } from './questions.ts';

/** The step that follows a step, given the answers. */
export function nextStep(step: Step, a: ReportAnswers): Step | 'emergency' | 'submit' {
  switch (step) {
    case 'danger':
      return a.danger === 'yes' ? 'emergency' : 'category';
    case 'where':
      return a.similar ? 'nearby' : 'people';
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
  if (step === 'people') return a.similar ? 'nearby' : 'where';
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
  if (a.similar && !a.joinChoice) return 'nearby';
  if (!a.affected || !a.before) return 'people';
  if (!a.privacy) return 'privacy';
  if (a.privacy !== 'anonymous' && !a.email && !a.phoneE164) return 'contact';
  if (a.privacy === 'confidential' && !a.consentShare) return 'contact';
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

/**
 * True when a similar report nearby may be offered for the chosen category: only a category the site already
 * lists by place in public (`public: true`, which a sensitive category can never be), so the step tells nobody
 * more than Open311 does.
 */
export function offersSimilarReport(a: ReportAnswers, config: SiteConfig): boolean {
  return !!config.categories.find((c) => c.id === a.category)?.public;
}

/** True when the chosen category is flagged `emergency` (the journey then warns to call 999). */
export function isEmergencyCategory(a: ReportAnswers, config: SiteConfig): boolean {
  return !!config.categories.find((c) => c.id === a.category)?.emergency;
}

/** Result of reading one step's form. */
export interface StepResult {
  answers: Partial<ReportAnswers>;
  errors: FieldError[];
  values: Record<string, string>;
}

/** Read and check one step's form against that page's questions (src/domains/reports/questions.ts); messages in `lang`. */
export function readStep(step: Step, form: FormData, a: ReportAnswers, config: SiteConfig, now = Date.now(), lang = 'en'): StepResult {
  const values = typedValues(form);
  if (step === 'photos' || step === 'check') return { answers: {}, errors: [], values };
  const result = validateForm(reportPageSchema(config, step, engineAnswers(a as Record<string, unknown>), now, lang), form);
  if (!result.ok) return { answers: {}, errors: result.errors, values };
  const answers = draftAnswers(step, result.data, values);
  // Another kind of "when" asks its own details: the old ones no longer apply (nor show on check answers).
  if (step === 'when' && answers.whenKind !== a.whenKind) Object.assign(answers, WHEN_DETAILS_CLEARED);
  return { answers, errors: [], values };
}

/** The when-details answers, all cleared. */
const WHEN_DETAILS_CLEARED: Partial<ReportAnswers> = { whenDay: undefined, whenMonth: undefined, whenYear: undefined, whenTime: undefined, happenedAt: undefined, whenText: undefined };

/** The engine's answers for one page as the draft keeps them. */
function draftAnswers(step: Step, d: Answers, typed: Record<string, string>): Partial<ReportAnswers> {
  const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : undefined);
  switch (step) {
    case 'when-details': {
      const when = d.when as DateAnswer | undefined;
      if (when) return { whenDay: when.day, whenMonth: when.month, whenYear: when.year, whenTime: when.time, happenedAt: when.at };
      return { whenText: str('whenText') };
    }
    case 'where':
      return { postcode: str('postcode') ?? '', place: str('place') ?? '', ...(d.ward ? { ward: str('ward') } : {}), ...pinAnswers(d) };
    case 'contact':
      return { name: str('name'), email: str('email') ?? '', phone: (typed.phone ?? '').replace(/\s+/g, ' ').trim(), phoneE164: str('phone') ?? '', preferredContact: d.preferredContact as ReportAnswers['preferredContact'], consentShare: d.consentShare as ReportAnswers['consentShare'] };
    default:
      return d as Partial<ReportAnswers>;
  }
}

/** The where step's pin as the draft keeps it: coordinates from the map, or none (a removed pin clears them). */
function pinAnswers(d: Answers): Pick<ReportAnswers, 'lat' | 'lon' | 'locationSource'> {
  if (typeof d.lat === 'number' && typeof d.lon === 'number') return { lat: d.lat, lon: d.lon, locationSource: d.locationSource === 'postcode' ? 'postcode' : 'pin' };
  return { lat: undefined, lon: undefined, locationSource: undefined };
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
    lat: a.lat ?? null,
    lon: a.lon ?? null,
    locationSource: a.lat !== undefined && a.lon !== undefined ? (a.locationSource ?? null) : null,
    // Only a report of the category still chosen (the category may have been changed after the where step).
    joinCaseId: a.similar && a.joinChoice === 'join' && a.similar.categoryId === a.category ? a.similar.id : null,
    peopleInvolved: a.people,
    whoAffected: a.affected,
    happenedBefore: a.before,
    privacy: a.privacy!,
    consentShare: sharesDetails(a.privacy, a.consentShare),
    reporter: a.privacy === 'anonymous' ? null : { name: a.name, email: a.email, phoneE164: a.phoneE164, preferredContact: a.preferredContact },
    photos: a.photos ?? [],
    idempotencyKey,
  };
}
