/**
 * A node:test reporter for scripts/test.ts: it writes each test file's duration in seconds, as JSON
 * (`{ "tests/unit/x.test.ts": 1.2 }`, paths relative to the working folder), so that the next run can start
 * the longest files first. node's test runner sends one `test:summary` per file with its duration.
 */
import { relative } from 'node:path';

/** The events this reporter reads (a small part of node:test's). */
interface SummaryEvent {
  type: string;
  data: { file?: string; duration_ms?: number };
}

/** Collect each file's duration and yield them as one JSON object when the run ends. */
export default async function* reportFileTimes(source: AsyncIterable<SummaryEvent>): AsyncGenerator<string> {
  const seconds: Record<string, number> = {};
  for await (const event of source) {
    if (event.type === 'test:summary' && event.data.file && event.data.duration_ms !== undefined) {
      seconds[relative(process.cwd(), event.data.file)] = Math.round(event.data.duration_ms / 100) / 10;
    }
  }
  yield JSON.stringify(seconds);
}
