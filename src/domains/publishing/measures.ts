/**
 * Figures computed from published content: the cost per outcome of an initiative, and the stale and overdue
 * flags of an improvement-plan recommendation. Pure functions; the clock is passed in.
 */
import { londonDate } from '../../platform/time/london.ts';
import { RECOMMENDATION_STATUSES, VFM_RATINGS, type InitiativeData, type OutcomeMeasure, type RecommendationData, type VfmRating } from './content.ts';

/** Days without a progress update after which a recommendation is flagged. */
export const STALE_AFTER_DAYS = 90;
const DAY = 86_400_000;

/** The change an outcome measure has achieved so far, in the direction of its target (0 when none or unmeasured). */
export function outcomeAchieved(m: OutcomeMeasure): number {
  if (m.actual === null) return 0;
  const direction = Math.sign(m.target - m.baseline) || 1;
  return Math.max(0, (m.actual - m.baseline) * direction);
}

/** Cost per unit of outcome achieved, in pence, per measure; null when nothing is achieved yet. */
export function costPerOutcome(budgetPence: number, m: OutcomeMeasure): number | null {
  const achieved = outcomeAchieved(m);
  return achieved > 0 ? Math.round(budgetPence / achieved) : null;
}

/** Pence as pounds in words for a page: "£12,500" or "£41.67". */
export function formatPounds(pence: number): string {
  const pounds = pence / 100;
  return `£${pounds.toLocaleString('en-GB', { minimumFractionDigits: pence % 100 ? 2 : 0, maximumFractionDigits: 2 })}`;
}

/** Each outcome measure of an initiative with what was achieved and the cost per outcome in words. */
export function outcomeRows(data: InitiativeData) {
  return data.outcomes.map((m) => {
    const cost = costPerOutcome(data.budget, m);
    return { ...m, achieved: outcomeAchieved(m), costPerOutcome: cost, costWords: cost === null ? 'Not yet known: nothing achieved yet' : `${formatPounds(cost)} per unit of change` };
  });
}

/** The flags of a recommendation at `now`: not updated for 90 days, target date passed (neither once complete). */
export function recommendationFlags(data: RecommendationData, createdAt: number, now: number): { stale: boolean; overdue: boolean; lastUpdate: string | null } {
  const lastUpdate = data.updates.map((u) => u.date).sort().at(-1) ?? null;
  if (data.status === 'complete') return { stale: false, overdue: false, lastUpdate };
  const since = lastUpdate ?? londonDate(createdAt);
  const today = londonDate(now);
  const stale = Date.parse(`${today}T00:00:00Z`) - Date.parse(`${since}T00:00:00Z`) >= STALE_AFTER_DAYS * DAY;
  const overdue = (data.currentTarget || data.originalTarget) < today;
  return { stale, overdue, lastUpdate };
}

/** The RAG rating of a recommendation's status, with words (never colour alone). */
export function ragOf(status: RecommendationData['status']): { rag: 'red' | 'amber' | 'green'; words: string; label: string } {
  const s = RECOMMENDATION_STATUSES[status];
  return { rag: s.rag, label: s.label, words: `${s.rag[0]!.toUpperCase()}${s.rag.slice(1)}: ${s.label}` };
}

/** How a rating moved since the previous assessment, in words ("Better than", "Same as", "Worse than" Amber). */
export function ratingChange(current: VfmRating, previous: VfmRating | null): string {
  if (previous === null) return 'Not assessed before';
  const order = Object.keys(VFM_RATINGS);
  const diff = order.indexOf(current) - order.indexOf(previous);
  return `${diff > 0 ? 'Better than' : diff < 0 ? 'Worse than' : 'Same as'} last time (${VFM_RATINGS[previous]})`;
}
