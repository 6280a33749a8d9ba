/**
 * Database-backed rate limits (table rate_limits), so limits hold across restarts and processes.
 * A window of windowMs is split into 5 buckets; a key is over its limit when the buckets that overlap
 * the last windowMs hold `limit` hits or more. This never lets more than `limit` hits through in any
 * span of windowMs (it can be up to one bucket stricter than an exact sliding window).
 *
 * Count first: throttle work (a password or code check) by counting the attempt before the work, never
 * peek-then-hit after it. hitRateLimit(s) add the hit and read the window back in one atomic batch, so
 * concurrent callers each see a distinct count, and count refused hits too. RateLimitGate is the same count
 * and read as a write gate (writer.gatedBatch): the write it guards runs only if every key allows it, in the same
 * commit as the hits on the writer thread (a report's send: src/web/report/check.ts). takeRateLimits counts an
 * attempt against all its keys only when every key has room (one write transaction), so refused
 * attempts use up nothing: an attacker held by one key cannot fill another.
 */
import { valueRows } from '../db/placeholders.ts';
import { translate } from '../i18n/index.ts';
import { isIP } from 'node:net';
import type { InStatement, ResultSet } from '@libsql/client';
import type { WriteGate } from '../db/writer.ts';
import { and, eq, gte, lt } from 'drizzle-orm';
import { getDatabase, toStatement } from '../db/client.ts';
import { rateLimits } from '../db/schema.ts';

/** The outcome of a rate-limit check. */
export interface RateLimitResult {
  allowed: boolean;
  /** Hits counted in the current window (including this one for hitRateLimit). */
  count: number;
  /** When not allowed: milliseconds until one more hit would be allowed; 0 otherwise. */
  retryAfterMs: number;
}

const BUCKETS = 5;

function bucketSize(windowMs: number) {
  return Math.max(1, Math.ceil(windowMs / BUCKETS));
}

function oldestCounted(now: number, windowMs: number) {
  const b = bucketSize(windowMs);
  return Math.floor((now - windowMs) / b) * b;
}

function evaluate(rows: { windowStart: number; count: number }[], limit: number, windowMs: number, now: number, includeNext: boolean): RateLimitResult {
  const b = bucketSize(windowMs);
  const sorted = rows.filter((r) => r.windowStart >= oldestCounted(now, windowMs)).sort((x, y) => x.windowStart - y.windowStart);
  const count = sorted.reduce((n, r) => n + r.count, 0);
  const allowed = includeNext ? count < limit : count <= limit;
  if (allowed) return { allowed, count, retryAfterMs: 0 };
  // Drop the oldest buckets until there is room again; the answer is when the last dropped one ages out.
  let left = count;
  let at = now;
  for (const r of sorted) {
    left -= r.count;
    at = r.windowStart + b + windowMs;
    if (left < limit) break;
  }
  return { allowed, count, retryAfterMs: Math.max(1000, at - now) };
}

/** Count one hit against a key; allowed is false once the key has more than `limit` hits in windowMs. */
export async function hitRateLimit(key: string, limit: number, windowMs: number, now = Date.now()): Promise<RateLimitResult> {
  const { writer } = getDatabase();
  const b = bucketSize(windowMs);
  const start = Math.floor(now / b) * b;
  const from = oldestCounted(now, windowMs);
  // Plain SQL on this hot path (every sign-in and submission); expired buckets are removed by purgeRateLimits.
  const results = await writer.batch([
    {
      sql: 'insert into "rate_limits" ("key", "window_start", "count") values (?, ?, 1) on conflict ("key", "window_start") do update set "count" = "count" + 1',
      args: [key, start],
    },
    { sql: 'select "window_start", "count" from "rate_limits" where "key" = ? and "window_start" >= ?', args: [key, from] },
  ]);
  const rows = results[1]!.rows.map((r) => ({ windowStart: Number(r.window_start), count: Number(r.count) }));
  return evaluate(rows, limit, windowMs, now, false);
}

/** hitRateLimits' SQL by the number of keys hit at once, each text built once. */
const hitSqlOfSize: { count: string; read: string; verdict: string }[] = [];

/** The hits of one key in the buckets that overlap the window, within its limit: a term of RateLimitGate's verdict. */
const WITHIN_LIMIT = '(select coalesce(sum("count"), 0) from "rate_limits" where "key" = ? and "window_start" >= ?) <= ?';

/** One hit against each of several keys (a hit may weigh more than one: `amount`, for limits on bytes; or nothing, 0, to read the window with the same statements). */
export type RateLimitHit = { key: string; limit: number; windowMs: number; amount?: number };

/**
 * Hits against several keys as a write gate (src/platform/db/writer.ts): its two statements count them and read the
 * windows back, and it allows what it guards only when every key is within its limit. `outcomes` holds the results,
 * in the order of the hits, once the writer has asked it: always after a refusal, but a group that the writer thread
 * let through on the verdict alone (`sql`) never asks, so after a write that went through it may be empty.
 */
export class RateLimitGate implements WriteGate {
  readonly statements: InStatement[];
  /** The count and, as one read, the check `allows` makes (1 when every key is within its limit), for the writer thread to decide alone. */
  readonly sql: { counts: InStatement[]; verdict: InStatement };
  outcomes: RateLimitResult[] = [];
  private readonly hits: RateLimitHit[];
  private readonly now: number;

  constructor(hits: RateLimitHit[], now = Date.now()) {
    this.hits = hits;
    this.now = now;
    if (hits.length === 0) {
      this.statements = [];
      this.sql = { counts: [], verdict: { sql: 'select 1', args: [] } };
      return;
    }
    const starts = hits.map((h) => Math.floor(now / bucketSize(h.windowMs)) * bucketSize(h.windowMs));
    const oldest = Math.min(...hits.map((h) => oldestCounted(now, h.windowMs)));
    const sql = (hitSqlOfSize[hits.length] ??= {
      count: `insert into "rate_limits" ("key", "window_start", "count") values ${valueRows(hits.length, 3)} on conflict ("key", "window_start") do update set "count" = "count" + excluded."count"`,
      read: `select "key", "window_start", "count" from "rate_limits" where "key" in ${valueRows(1, hits.length)} and "window_start" >= ?`,
      verdict: `select ${hits.map(() => WITHIN_LIMIT).join(' and ')}`,
    });
    const count = { sql: sql.count, args: hits.flatMap((h, i) => [h.key, starts[i]!, Math.max(0, Math.round(h.amount ?? 1))]) };
    this.statements = [count, { sql: sql.read, args: [...hits.map((h) => h.key), oldest] }];
    // The same test as evaluate (the buckets from oldestCounted on, at most `limit` hits), key by key.
    this.sql = { counts: [count], verdict: { sql: sql.verdict, args: hits.flatMap((h) => [h.key, oldestCounted(now, h.windowMs), h.limit]) } };
  }

  allows(results: ResultSet[]): boolean {
    if (this.hits.length === 0) return true;
    const rows = results[1]!.rows.map((r) => ({ key: String(r.key), windowStart: Number(r.window_start), count: Number(r.count) }));
    this.outcomes = this.hits.map((h) => {
      const from = oldestCounted(this.now, h.windowMs);
      return evaluate(rows.filter((r) => r.key === h.key && r.windowStart >= from), h.limit, h.windowMs, this.now, false);
    });
    return this.outcomes.every((o) => o.allowed);
  }
}

/**
 * Count one hit against several keys at once (one write, two statements); results in the same order.
 * A hit may weigh more than one (amount), for limits on bytes rather than requests.
 */
export async function hitRateLimits(hits: RateLimitHit[], now = Date.now()): Promise<RateLimitResult[]> {
  if (hits.length === 0) return [];
  const gate = new RateLimitGate(hits, now);
  gate.allows(await getDatabase().writer.batch(gate.statements));
  return gate.outcomes;
}

/** Count one attempt against every key if each has room for it, else against none; results in the same order. */
export async function takeRateLimits(hits: { key: string; limit: number; windowMs: number }[], now = Date.now()): Promise<RateLimitResult[]> {
  if (hits.length === 0) return [];
  return getDatabase().writer.transaction(async (tx) => {
    const oldest = Math.min(...hits.map((h) => oldestCounted(now, h.windowMs)));
    const found = await tx.execute({ sql: `select "key", "window_start", "count" from "rate_limits" where "key" in (${hits.map(() => '?').join(', ')}) and "window_start" >= ?`, args: [...hits.map((h) => h.key), oldest] });
    const rows = found.rows.map((r) => ({ key: String(r.key), windowStart: Number(r.window_start), count: Number(r.count) }));
    const before = hits.map((h) => evaluate(rows.filter((r) => r.key === h.key), h.limit, h.windowMs, now, true));
    if (before.some((r) => !r.allowed)) return before;
    await tx.batch(
      hits.map((h) => ({
        sql: 'insert into "rate_limits" ("key", "window_start", "count") values (?, ?, 1) on conflict ("key", "window_start") do update set "count" = "count" + 1',
        args: [h.key, Math.floor(now / bucketSize(h.windowMs)) * bucketSize(h.windowMs)],
      })),
    );
    return before.map((r) => ({ allowed: true, count: r.count + 1, retryAfterMs: 0 }));
  });
}

/** Statements taking back one hit counted by takeRateLimits or hitRateLimits at the same `now` (for an attempt that succeeded). */
export function uncountStatements(keys: { key: string; windowMs: number }[], now = Date.now()): InStatement[] {
  return keys.map((k) => ({
    sql: 'update "rate_limits" set "count" = max("count" - 1, 0) where "key" = ? and "window_start" = ?',
    args: [k.key, Math.floor(now / bucketSize(k.windowMs)) * bucketSize(k.windowMs)],
  }));
}

/** The statement forgetting every hit for a key, to run in the same write as other changes. */
export function clearRateLimitStatement(key: string): InStatement {
  return { sql: 'delete from "rate_limits" where "key" = ?', args: [key] };
}

/** The part of a client address that rate limits count: an IPv4 address whole, an IPv6 address by its /64. */
export function rateLimitAddress(ip: string | null | undefined): string {
  if (!ip) return 'unknown';
  const bare = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  if (isIP(bare) !== 6) return bare;
  const [head = '', tail = ''] = bare.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = bare.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** Delete rate-limit buckets older than any window in use (the longest is a day; run periodically). */
export async function purgeRateLimits(olderThanMs = 2 * 86_400_000, now = Date.now()): Promise<void> {
  const { db, writer } = getDatabase();
  await writer.batch([toStatement(db.delete(rateLimits).where(lt(rateLimits.windowStart, now - olderThanMs)))]);
}

/** Check a key without counting a hit; allowed is false when one more hit would exceed `limit`. */
export async function peekRateLimit(key: string, limit: number, windowMs: number, now = Date.now()): Promise<RateLimitResult> {
  const { db } = getDatabase();
  const rows = await db
    .select({ windowStart: rateLimits.windowStart, count: rateLimits.count })
    .from(rateLimits)
    .where(and(eq(rateLimits.key, key), gte(rateLimits.windowStart, oldestCounted(now, windowMs))));
  return evaluate(rows, limit, windowMs, now, true);
}

/** Forget every hit for a key (for example after a successful sign-in, if a policy wants that). */
export async function clearRateLimit(key: string): Promise<void> {
  const { db, writer } = getDatabase();
  await writer.batch([toStatement(db.delete(rateLimits).where(eq(rateLimits.key, key)))]);
}

/**
 * How long to wait, in words people use after "Try again in": seconds and minutes as they are under 10 minutes,
 * then rounded up to 5 minutes, "about an hour" from 50 to 90 minutes, then about so many hours or days.
 */
export function describeWait(ms: number, lang = 'en'): string {
  const MINUTE = 60_000;
  const HOUR = 60 * MINUTE;
  const DAY = 24 * HOUR;
  if (lang !== 'en') return describeWaitIn(lang, ms, MINUTE, HOUR, DAY);
  if (ms < MINUTE) {
    const s = Math.max(1, Math.ceil(ms / 1000));
    return `${s} second${s === 1 ? '' : 's'}`;
  }
  if (ms <= 10 * MINUTE) {
    const m = Math.ceil(ms / MINUTE);
    return `${m} minute${m === 1 ? '' : 's'}`;
  }
  if (ms < 50 * MINUTE) return `${Math.ceil(ms / (5 * MINUTE)) * 5} minutes`;
  if (ms < 90 * MINUTE) return 'about an hour';
  if (ms < 36 * HOUR) return `about ${Math.round(ms / HOUR)} hours`;
  return `about ${Math.round(ms / DAY)} days`;
}

/** describeWait's steps in another language (`wait.*` keys, plural forms by count). */
function describeWaitIn(lang: string, ms: number, MINUTE: number, HOUR: number, DAY: number): string {
  if (ms < MINUTE) return translate(lang, 'wait.seconds', { count: Math.max(1, Math.ceil(ms / 1000)) });
  if (ms <= 10 * MINUTE) return translate(lang, 'wait.minutes', { count: Math.ceil(ms / MINUTE) });
  if (ms < 50 * MINUTE) return translate(lang, 'wait.minutes', { count: Math.ceil(ms / (5 * MINUTE)) * 5 });
  if (ms < 90 * MINUTE) return translate(lang, 'wait.aboutHour');
  if (ms < 36 * HOUR) return translate(lang, 'wait.aboutHours', { count: Math.round(ms / HOUR) });
  return translate(lang, 'wait.aboutDays', { count: Math.round(ms / DAY) });
}
