/**
 * The one CSV writer: RFC 4180 text from csv-stringify (CRLF line ends; a field with a comma, quote or line
 * break is quoted), spreadsheet formula injection neutralised, and downloads streamed a page of rows at a time.
 */
import { stringify } from 'csv-stringify/sync';

/** A value for one CSV cell. */
export type CsvValue = string | number | boolean | null | undefined;

/** One CSV row. */
export type CsvRow = readonly CsvValue[];

const OPTIONS = { record_delimiter: 'windows', quoted_match: /[\r\n]/ } as const;
const encoder = new TextEncoder();

/**
 * A cell as text: empty for null, and one that starts with = + - @, a tab, CR or LF, or with any of = + - @ after
 * leading spaces (a spreadsheet skips them and still runs the formula), gets a ' so spreadsheets do not run it.
 */
export function neutraliseFormula(value: CsvValue): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /^[\t\r\n]|^[\s\u00a0\u2000-\u200b\u3000\ufeff]*[=+\-@]/.test(text) ? `'${text}` : text;
}

/** Rows as CSV text, each line ending CRLF. */
export function csvText(rows: readonly CsvRow[]): string {
  return rows.length === 0 ? '' : stringify(rows.map((row) => row.map(neutraliseFormula)), OPTIONS);
}

/** One cell as CSV text (quoted when needed). */
export function csvCell(value: CsvValue): string {
  return csvText([[value]]).slice(0, -2);
}

/**
 * A CSV download as a stream: the header first, then one chunk per page of rows, each page read only when
 * the reader asks for more (so a slow client holds one page, not the whole export). `done` runs once the
 * last page has been written; if the reader goes away, the pages are closed and it does not run.
 */
export function csvStream(header: readonly string[], pages: AsyncIterable<readonly CsvRow[]>, done?: () => Promise<void> | void): ReadableStream<Uint8Array> {
  const iterator = pages[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(encoder.encode(csvText([header])));
      },
      async pull(controller) {
        try {
          for (;;) {
            const next = await iterator.next();
            if (next.done) {
              await done?.();
              controller.close();
              return;
            }
            if (next.value.length > 0) {
              controller.enqueue(encoder.encode(csvText(next.value)));
              return;
            }
          }
        } catch (error) {
          controller.error(error);
        }
      },
      async cancel() {
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

/** Collect a CSV stream into text (tests and small exports). */
export function csvStreamText(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

/** The response headers for a CSV download named `filename`. */
export function csvHeaders(filename: string): Record<string, string> {
  return { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}"`, 'Cache-Control': 'no-store' };
}
