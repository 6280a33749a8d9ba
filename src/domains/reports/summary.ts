/** "What was reported" on the case page: a case's answers summarised by the same report questions. */
import { formatTime } from '../../platform/time/london.ts';
import type { SiteConfig } from '../../platform/config/partnership.ts';
import { summariseAnswers, type AnswerRow } from '../../platform/questions/index.ts';
import { reportQuestions } from './questions.ts';

/** The reported fields of a case, as stored. */
export interface ReportedCase {
  kind: string;
  categoryId: string | null;
  feedbackType?: string | null;
  description: string;
  whenKind: string | null;
  happenedAt: number | null;
  whenText: string | null;
  postcode: string | null;
  locationText: string | null;
  wardId: string | null;
  districtId?: string | null;
  /** Where the case's coordinates came from ('pin': dropped on the map). */
  locationSource?: string | null;
  peopleInvolved: string | null;
  whoAffected: string | null;
  happenedBefore: string | null;
  privacy: string;
  consentShare: boolean | null;
}

const hhmm = formatTime;

/** Summary rows for what a case reports (reporter details are shown apart); "Not given" for blanks. */
export function caseReportRows(c: ReportedCase, config: SiteConfig): AnswerRow[] {
  const answers = {
    category: c.categoryId ?? undefined,
    description: c.description,
    whenKind: c.whenKind ?? undefined,
    when: c.happenedAt ? { day: '', month: '', year: '', time: hhmm(c.happenedAt), at: c.happenedAt } : undefined,
    whenText: c.whenText ?? undefined,
    postcode: c.postcode ?? undefined,
    place: c.locationText ?? undefined,
    ward: c.wardId ?? undefined,
    locationSource: c.locationSource ?? undefined,
    people: c.peopleInvolved ?? undefined,
    affected: c.whoAffected ?? undefined,
    before: c.happenedBefore ?? undefined,
    privacy: c.privacy,
  };
  const questions = reportQuestions(config).filter((q) => q.page !== 'contact');
  const district = config.areas.find((a) => a.id === c.districtId)?.name;
  return summariseAnswers(questions, answers).map((r) => {
    let value = r.value;
    if (r.question === 'category' && !c.categoryId) value = c.feedbackType ?? '';
    if (r.question === 'postcode' && district) value = [value, district].filter(Boolean).join(', ');
    if (r.question === 'privacy' && c.consentShare) value += ', agreed to sharing with partners';
    return { ...r, value: value || 'Not given' };
  });
}
