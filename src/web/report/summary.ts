/** Rows for the check-answers page, each with its change link. */
import type { SiteConfig } from '../../platform/config/partnership.ts';
import { AFFECTED, PRIVACY, type ReportAnswers } from '../../domains/reports/journey.ts';
import { formatDate, formatTime } from '../../platform/time/london.ts';
import { formatUkPhone } from '../../platform/uk/phone.ts';

/** One summary row. */
export interface SummaryRow {
  key: string;
  value: string;
  href?: string;
  visuallyHiddenText?: string;
}

const when = (a: ReportAnswers) => {
  if (a.whenKind === 'date' && a.happenedAt !== undefined) {
    return formatDate(a.happenedAt) + (a.whenTime ? `, ${formatTime(a.happenedAt)}` : '');
  }
  if (a.whenKind === 'ongoing') return `Still happening: ${a.whenText ?? ''}`;
  return a.whenText ?? '';
};

/** The check-answers rows for a report draft. */
export function reportSummaryRows(a: ReportAnswers, config: SiteConfig): SummaryRow[] {
  const ward = config.areas.find((x) => x.id === a.ward);
  const rows: SummaryRow[] = [
    { key: 'What it is about', value: config.categories.find((c) => c.id === a.category)?.name ?? '', href: '/report/category?change=1', visuallyHiddenText: 'what it is about' },
    { key: 'What happened', value: a.description ?? '', href: '/report/description?change=1', visuallyHiddenText: 'what happened' },
    { key: 'When', value: when(a), href: '/report/when?change=1', visuallyHiddenText: 'when it happened' },
    { key: 'Where', value: [a.postcode, a.place, ward?.name].filter(Boolean).join(', '), href: '/report/where?change=1', visuallyHiddenText: 'where it happened' },
    { key: 'People or vehicles involved', value: a.people ?? '', href: '/report/people?change=1', visuallyHiddenText: 'people or vehicles involved' },
    { key: 'Who is affected', value: AFFECTED.find((x) => x.value === a.affected)?.label ?? '', href: '/report/people?change=1', visuallyHiddenText: 'who is affected' },
    { key: 'Happened before', value: { yes: 'Yes', no: 'No', 'not-sure': 'Not sure' }[a.before ?? 'not-sure'] ?? '', href: '/report/people?change=1', visuallyHiddenText: 'whether it happened before' },
    { key: 'Photos', value: (a.photos ?? []).map((p) => p.name).join(', '), href: '/report/photos?change=1', visuallyHiddenText: 'photos' },
    { key: 'Your details', value: PRIVACY.find((p) => p.value === a.privacy)?.label ?? '', href: '/report/privacy?change=1', visuallyHiddenText: 'how we treat your details' },
  ];
  if (a.privacy !== 'anonymous') {
    rows.push(
      { key: 'Name', value: a.name ?? '', href: '/report/contact?change=1', visuallyHiddenText: 'your name' },
      { key: 'Email address', value: a.email ?? '', href: '/report/contact?change=1', visuallyHiddenText: 'your email address' },
      { key: 'Phone number', value: a.phoneE164 ? formatUkPhone(a.phoneE164) : '', href: '/report/contact?change=1', visuallyHiddenText: 'your phone number' },
      { key: 'Contact by', value: { email: 'Email', phone: 'Phone', either: 'Either' }[a.preferredContact ?? 'either'] ?? '', href: '/report/contact?change=1', visuallyHiddenText: 'how to contact you' },
      { key: 'Share with partners', value: a.consentShare === 'yes' ? 'Yes' : 'No', href: '/report/contact?change=1', visuallyHiddenText: 'whether we can share your details' },
    );
  }
  return rows;
}
