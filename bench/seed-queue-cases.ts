/**
 * Synthetic cases for the queue benches (bench/queue.ts, bench/queue-http.ts): `rows` cases over the three years
 * before `now`, in time order, the newest ~3% still being worked on, written in multi-row INSERTs, 50,000 a batch.
 * Cases with a partner (referred, with_partner) and about one in eight of the others are referred to one of their
 * category's agencies, so the partner officer's scope has cases to count.
 */
import type { Client } from '@libsql/client';
import type { SiteConfig } from '../src/platform/config/partnership.ts';

/** A number from the command line (`--name value`), or the fallback. */
export function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

/** A seeded linear congruential generator with a pick helper: the same cases on every run. */
export function seededPicker(seed = 42): { rand: () => number; pick: <T>(xs: readonly T[]) => T } {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  return { rand, pick: <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]! };
}

const COLS = ['id', 'ref', 'kind', 'status', 'status_changed_at', 'channel', 'category_id', 'priority', 'privacy', 'description', 'ward_id', 'district_id', 'owner_id', 'flags', 'tags', 'next_due_at', 'received_at', 'updated_at', 'postcode', 'resolution_code', 'referred_agency_id'];
const SPAN = 3 * 365 * 86_400_000;
const CHANNELS = ['web', 'web', 'web', 'phone', 'phone', 'email', 'api'];

/** Seed the cases (ids and references start with `prefix`), owned by `officers` when worked on; prints progress. */
export async function seedQueueCases(client: Client, options: { config: SiteConfig; rows: number; now: number; officers: readonly string[]; prefix: string }): Promise<void> {
  const { config, rows, now, officers, prefix } = options;
  const { rand, pick } = seededPicker();
  const wards = config.areas.filter((a) => a.kind === 'ward');
  const perStatement = Math.floor(30_000 / COLS.length);
  const perBatch = 50_000;
  const placeholders = `(${COLS.map(() => '?').join(',')})`;
  for (let start = 0; start < rows; start += perBatch) {
    const stmts = [];
    for (let s = start; s < Math.min(rows, start + perBatch); s += perStatement) {
      const n = Math.min(perStatement, rows - s, start + perBatch - s);
      const args: (string | number | null)[] = [];
      for (let i = 0; i < n; i++) {
        const k = s + i;
        const receivedAt = now - SPAN + Math.floor((k / rows) * SPAN) - 60_000 - Math.floor(rand() * 60_000);
        const active = now - receivedAt < 90 * 86_400_000 ? rand() < 0.45 : rand() < 0.01;
        const status = active ? pick(['new', 'open', 'open', 'open', 'awaiting_reporter', 'referred', 'with_partner'] as const) : rand() < 0.3 ? 'resolved' : 'closed';
        const cat = pick(config.categories);
        const ward = pick(wards);
        const flags = rand() < 0.08 ? (rand() < 0.5 ? '["repeat_reporter"]' : '["repeat_location"]') : rand() < 0.01 ? '["asb_case_review"]' : '[]';
        const agency = status === 'referred' || status === 'with_partner' || rand() < 0.12 ? pick(cat.agencies) : null;
        const owner = status === 'new' || !officers.length ? null : rand() < 0.1 ? null : pick(officers);
        args.push(
          `${prefix}${String(k).padStart(19, '0')}`, `${prefix.toUpperCase()}B-${String(k).padStart(7, '0')}`, rand() < 0.9 ? 'report' : 'feedback', status, receivedAt, pick(CHANNELS), cat.id, cat.defaultPriority ?? 'P3',
          pick(['named', 'confidential', 'anonymous']), 'Synthetic benchmark case', ward.id, ward.parent ?? null, owner, flags, rand() < 0.05 ? '["estate-patrol"]' : '[]',
          active ? receivedAt + Math.floor(rand() * 40 * 86_400_000) : null, receivedAt, receivedAt, `HM${1 + Math.floor(rand() * 9)} ${Math.floor(rand() * 9)}AB`,
          active ? null : pick(['action_taken', 'advice_given', 'no_further_action', 'duplicate', 'out_of_scope']), agency,
        );
      }
      stmts.push({ sql: `INSERT INTO cases (${COLS.join(',')}) VALUES ${Array.from({ length: n }, () => placeholders).join(',')}`, args });
    }
    await client.batch(stmts, 'write');
    process.stdout.write(`\rseeded ${Math.min(rows, start + perBatch).toLocaleString('en-GB')} cases`);
  }
  await client.execute('ANALYZE');
}
