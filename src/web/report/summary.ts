/** Rows for the check-answers page, each with its change link. */
import type { SiteConfig } from '../../platform/config/partnership.ts';
import { summariseAnswers } from '../../platform/questions/index.ts';
import type { ReportAnswers } from '../../domains/reports/index.ts';
import { engineAnswers, reportQuestions } from '../../domains/reports/index.ts';
import { translate } from '../../platform/i18n/index.ts';

/** One summary row. */
export interface SummaryRow {
  key: string;
  value: string;
  href?: string;
  visuallyHiddenText?: string;
}

/** The check-answers rows for a report draft: the report questions' summaries, with photos after "Happened before". */
export function reportSummaryRows(a: ReportAnswers, config: SiteConfig, lang = 'en'): SummaryRow[] {
  const questions = reportQuestions(config, lang);
  const rows: SummaryRow[] = summariseAnswers(questions, engineAnswers(a as Record<string, unknown>)).map((r) => ({
    key: r.key,
    value: r.value,
    href: `/report/${r.page}?change=1`,
    visuallyHiddenText: r.change,
  }));
  const photos = { key: translate(lang, 'report.check.photos'), value: (a.photos ?? []).map((p) => p.name).join(', '), href: '/report/photos?change=1', visuallyHiddenText: translate(lang, 'report.check.photosChange') };
  const before = questions.find((q) => q.key === 'before');
  rows.splice(rows.findIndex((r) => r.key === (before?.summary ? before.summary.key : '')) + 1, 0, photos);
  if (a.similar) {
    const where = questions.find((q) => q.key === 'postcode');
    const nearby = { key: translate(lang, 'report.nearby.summary'), value: translate(lang, a.joinChoice === 'join' ? 'report.nearby.join' : 'report.nearby.fresh'), href: '/report/nearby?change=1', visuallyHiddenText: translate(lang, 'report.nearby.change') };
    rows.splice(rows.findIndex((r) => r.key === (where?.summary ? where.summary.key : '')) + 1, 0, nearby);
  }
  return rows;
}
