/** The call log as CSV (RFC 4180, with spreadsheet formula injection neutralised). */
import { londonDate } from '../../platform/time/london.ts';
import type { CallRow } from './list.ts';
import { CASE_CREATING_REASONS, outcomeLabel, reasonLabel, type CallReason } from './reasons.ts';

/** One CSV field: quoted when needed; a leading =, +, - or @ is prefixed with ' so spreadsheets do not run it. */
export function csvField(value: string | number | null | undefined): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The header row of the call export. */
export const CALL_CSV_HEADER = ['call_id', 'started_at', 'day', 'handler', 'reason', 'reason_label', 'outcome', 'outcome_label', 'duration_seconds', 'case_ref', 'case_created', 'advice_given'];

/** The call log rows as a CSV document (CRLF line ends, header first). */
export function callsToCsv(rows: readonly CallRow[]): string {
  const lines = [CALL_CSV_HEADER.join(',')];
  for (const r of rows) {
    const created = r.caseId !== null && CASE_CREATING_REASONS.includes(r.reason as CallReason);
    lines.push(
      [
        r.id,
        new Date(r.startedAt).toISOString(),
        londonDate(r.startedAt),
        r.handlerName ?? r.handlerId,
        r.reason,
        reasonLabel(r.reason),
        r.outcome,
        outcomeLabel(r.outcome),
        r.durationS,
        r.caseRef,
        created ? 'yes' : 'no',
        (r.adviceSlugs ?? []).join(' '),
      ]
        .map(csvField)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}
