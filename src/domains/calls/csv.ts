/** The call log as CSV (the one CSV writer, src/platform/csv.ts: RFC 4180, formula injection neutralised, streamed). */
import { csvCell, csvStream, csvText, type CsvRow, type CsvValue } from '../../platform/csv.ts';
import { londonDate } from '../../platform/time/london.ts';
import { callPages, type CallFilter, type CallRow } from './list.ts';
import { CASE_CREATING_REASONS, outcomeLabel, reasonLabel, type CallReason } from './reasons.ts';

/** One CSV field: quoted when needed; a leading =, +, - or @ is prefixed with ' so spreadsheets do not run it. */
export function csvField(value: CsvValue): string {
  return csvCell(value);
}

/** The header row of the call export. */
export const CALL_CSV_HEADER = ['call_id', 'started_at', 'day', 'handler', 'reason', 'reason_label', 'outcome', 'outcome_label', 'duration_seconds', 'case_ref', 'case_created', 'advice_given'];

/** What the call log says for a call's case that is outside the viewer's area. */
export const OUTSIDE_SCOPE = 'a case outside your area';

/** One call as CSV cells: no caller contact details or free-text notes. */
export function callCsvRow(r: CallRow): CsvRow {
  const created = r.caseId !== null && CASE_CREATING_REASONS.includes(r.reason as CallReason);
  return [
    r.id,
    new Date(r.startedAt).toISOString(),
    londonDate(r.startedAt),
    r.handlerName ?? r.handlerId,
    r.reason,
    reasonLabel(r.reason),
    r.outcome,
    outcomeLabel(r.outcome),
    r.durationS,
    r.caseRef ?? (r.caseId !== null ? OUTSIDE_SCOPE : null),
    created ? 'yes' : 'no',
    (r.adviceSlugs ?? []).join(' '),
  ];
}

/** The call log rows as a CSV document (CRLF line ends, header first). */
export function callsToCsv(rows: readonly CallRow[]): string {
  return csvText([CALL_CSV_HEADER, ...rows.map(callCsvRow)]);
}

/** Matching calls as pages of CSV rows. */
async function* callCsvPages(filter: CallFilter, pageSize?: number): AsyncGenerator<CsvRow[]> {
  for await (const page of callPages(filter, pageSize)) yield page.map(callCsvRow);
}

/** The call export as a CSV stream, newest first, read from the database a page at a time. */
export function streamCallsCsv(filter: CallFilter, pageSize?: number): ReadableStream<Uint8Array> {
  return csvStream(CALL_CSV_HEADER, callCsvPages(filter, pageSize));
}
