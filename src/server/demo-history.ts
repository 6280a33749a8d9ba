/**
 * A year of fictional, resolved reports behind the demo's dozen open ones, so the dashboard, hot-spots, the tasking
 * list and perception against reality have a history to show. Seeded, so every demo start gives the same history:
 * about one report a month per 5,000 residents of each ward, triaged and resolved within days, and last month a
 * burst of off-road bikes in Lydgate that the emerging hot-spot rule flags. Reports are anonymous, so no e-mail
 * is queued for them.
 */
import { changeStatus, triageCase, type StaffActor, type TriageAnswers } from '../domains/cases/index.ts';
import { createCase } from '../domains/reports/submit.ts';
import type { Env } from '../platform/config/env.ts';
import type { SiteConfig } from '../platform/config/partnership.ts';
import { londonMonth, londonTime } from '../platform/time/london.ts';
import { seededRandom } from '../platform/seeded-random.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The staff member the history's triage and resolutions are recorded as. */
const HISTORY_OFFICER: StaffActor = { id: 'demo-history', name: 'Demo history', permissions: ['case.read.all', 'case.update', 'case.close'] };

/** The ward, category and size of last month's burst (an emerging hot-spot). */
const BURST = { ward: 'lydgate', category: 'vehicle-nuisance', extra: 7 };

/** The first instant of the London month `k` months before the month of `now`. */
function monthStart(now: number, k: number): number {
  const [y, m] = londonMonth(now).split('-').map(Number) as [number, number];
  const i = y * 12 + (m - 1) - k;
  return londonTime(Math.floor(i / 12), (i % 12) + 1, 1, 0);
}

/** Seed the twelve complete months before this one with resolved reports. */
export async function seedDemoHistory(env: Env, config: SiteConfig, now: number): Promise<void> {
  const random = seededRandom(20_261_130);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const wards = config.areas.filter((a) => a.kind === 'ward');
  const categories = config.categories.filter((c) => !c.sensitive && !c.emergency).map((c) => c.id);
  const ctx = { config, actor: { kind: 'system' as const }, publicUrl: env.PUBLIC_URL };
  const settings = { targets: config.targets, reopenWindowDays: config.partnership.reopenWindowDays, partnership: config.partnership.name, publicUrl: env.PUBLIC_URL };
  const answers: TriageAnswers[] = [
    { risk: 'none', vulnerable: 'no', repeat: 'no', hate: 'no' },
    { risk: 'some', vulnerable: 'no', repeat: 'yes', hate: 'no' },
    { risk: 'some', vulnerable: 'yes', repeat: 'no', hate: 'no' },
  ];
  /** A time no later than a minute before now (last month's reports are not resolved in the future). */
  const before = (t: number) => Math.min(t, now - 60_000);
  let n = 0;
  for (let k = 12; k >= 1; k--) {
    const start = monthStart(now, k);
    const days = Math.round((monthStart(now, k - 1) - start) / DAY);
    for (const ward of wards) {
      const expected = ward.population / 5000;
      const burst = k === 1 && ward.id === BURST.ward ? BURST.extra : 0;
      const count = Math.max(0, Math.round(expected * (0.4 + 1.2 * random()))) + burst;
      for (let i = 0; i < count; i++) {
        const at = start + Math.floor(random() * (days - 1) * DAY) + 8 * HOUR;
        const categoryId = i < burst ? BURST.category : pick(categories);
        const created = await createCase(
          { kind: 'report', channel: random() < 0.7 ? 'web' : 'phone', categoryId, description: `Demo history: a ${categoryId.replace(/-/g, ' ')} report in ${ward.name}.`, wardId: ward.id, privacy: 'anonymous', consentShare: false, reporter: null, idempotencyKey: `demo-history:${n++}` },
          ctx,
          at,
        );
        const opened = before(at + Math.floor((1 + random() * 20) * HOUR));
        await changeStatus(created.ref, HISTORY_OFFICER, { to: 'open' }, settings, opened);
        await triageCase(created.ref, HISTORY_OFFICER, pick(answers), settings, before(opened + HOUR));
        await changeStatus(created.ref, HISTORY_OFFICER, { to: 'resolved', resolutionCode: 'advice_given' }, settings, before(opened + Math.floor((1 + random() * 25) * DAY)));
      }
    }
  }
}
