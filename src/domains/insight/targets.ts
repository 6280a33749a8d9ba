/**
 * SMART targets (issue 15 point 6): each target in content/config/targets.json `measures` names a dashboard measure,
 * a target value, a direction, the period it is judged over and a deadline. The status is given in words with its
 * reason, never by colour alone:
 *   - "On track": the period's figure meets the target.
 *   - "Off track": the deadline has passed and the figure does not meet the target; or it misses by more than a
 *     tenth of the target and is no better than the previous period.
 *   - "At risk": it misses, but by a tenth of the target or less, or it is improving on the previous period; or there
 *     is nothing yet to measure in the period.
 */
import type { MeasureTarget, SiteConfig } from '../../platform/config/partnership.ts';
import { londonDate } from '../../platform/time/london.ts';
import { timerRate, type DashboardFigures } from './dashboard.ts';

/** A target's status in words. */
export type Rag = 'On track' | 'At risk' | 'Off track';

/** A target as judged for one period. */
export interface TargetProgress {
  target: MeasureTarget;
  value: number | null;
  previous: number | null;
  /** How far towards the target, as a percentage (capped at 100), or null with no figure. */
  progress: number | null;
  status: Rag;
  reason: string;
}

/** How each measure is worded: its unit after a number. */
const UNITS: Record<MeasureTarget['measure'], string> = {
  reports: ' reports', acknowledge_met: '%', triage_met: '%', update_met: '%', resolve_met: '%', median_acknowledge_hours: ' hours',
  median_resolve_days: ' days', referrals_acknowledged_on_time: '%', calls_abandoned: '%', repeat_victims: ' repeat victims', case_reviews: ' Case Reviews',
  consultation_responses: ' responses',
};

/** A measure's value as words ("92.5%", "4 hours"). */
export function formatMeasure(measure: MeasureTarget['measure'], value: number): string {
  return `${(Math.round(value * 10) / 10).toLocaleString('en-GB')}${UNITS[measure]}`;
}

/** The value of a measure in a set of dashboard figures (null when there is nothing to measure). */
export function measureValue(measure: MeasureTarget['measure'], f: DashboardFigures): number | null {
  const share = (part: number, whole: number) => (whole ? Math.round((part / whole) * 1000) / 10 : null);
  switch (measure) {
    case 'reports': return f.total.current;
    case 'acknowledge_met': case 'triage_met': case 'update_met': case 'resolve_met':
      return timerRate(f.timers, measure.replace('_met', '') as 'acknowledge').percent;
    case 'median_acknowledge_hours': return f.medianAcknowledgeMs === null ? null : Math.round((f.medianAcknowledgeMs / 3_600_000) * 10) / 10;
    case 'median_resolve_days': return f.medianResolveMs === null ? null : Math.round((f.medianResolveMs / 86_400_000) * 10) / 10;
    case 'referrals_acknowledged_on_time': return share(f.referrals.reduce((a, r) => a + r.onTime, 0), f.referrals.reduce((a, r) => a + r.sent, 0));
    case 'calls_abandoned': return share(f.calls.abandoned, f.calls.handled + f.calls.abandoned);
    case 'repeat_victims': return f.repeatVictims;
    case 'case_reviews': return f.caseReviews;
    case 'consultation_responses': return f.consultations.reduce((a, c) => a + c.responses, 0);
  }
}

/** Judge one target: its figure this period and last, against the target and the deadline, on the London date of `now`. */
export function judgeTarget(target: MeasureTarget, value: number | null, previous: number | null, now: number): TargetProgress {
  const words = (v: number) => formatMeasure(target.measure, v);
  const goal = `${target.direction === 'at_least' ? 'at least' : 'at most'} ${words(target.target)}`;
  if (value === null) return { target, value, previous, progress: null, status: 'At risk', reason: `Nothing to measure in this period yet; the target is ${goal}.` };
  const meets = target.direction === 'at_least' ? value >= target.target : value <= target.target;
  const progress = target.direction === 'at_least'
    ? (target.target === 0 ? 100 : Math.min(100, Math.round((value / target.target) * 100)))
    : (value === 0 ? 100 : Math.min(100, Math.round((target.target / value) * 100)));
  const base = { target, value, previous, progress };
  if (meets) return { ...base, status: 'On track', reason: `${words(value)} meets the target of ${goal}.` };
  if (londonDate(now) > target.deadline) return { ...base, status: 'Off track', reason: `The deadline (${target.deadline}) has passed with ${words(value)} against a target of ${goal}.` };
  const gap = Math.abs(value - target.target);
  const improving = previous !== null && (target.direction === 'at_least' ? value > previous : value < previous);
  if (gap <= target.target / 10) return { ...base, status: 'At risk', reason: `${words(value)} is within a tenth of the target of ${goal}.` };
  if (improving) return { ...base, status: 'At risk', reason: `${words(value)} misses the target of ${goal}, but is better than the previous period (${words(previous)}).` };
  return { ...base, status: 'Off track', reason: `${words(value)} misses the target of ${goal} by more than a tenth${previous === null ? '' : `, and is no better than the previous period (${words(previous)})`}.` };
}

/** The targets judged over a period of their kind: the current figures and those of the previous period. */
export function judgeTargets(config: SiteConfig, current: DashboardFigures, previous: DashboardFigures | null, now: number): TargetProgress[] {
  return config.targets.measures
    .filter((t) => t.period === current.period.kind)
    .map((t) => judgeTarget(t, measureValue(t.measure, current), previous ? measureValue(t.measure, previous) : null, now));
}
