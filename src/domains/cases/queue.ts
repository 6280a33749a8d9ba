/**
 * The triage queue: one list for every case, with filters, sorts, keyset pagination and counts per status.
 * Built as hand-written SQL over the cases indexes so the first page stays fast at a million rows.
 */
import type { InValue } from '@libsql/client';
import { getDatabase } from '../../platform/db/client.ts';
import { CASE_STATUSES, COUNTED_REPORT_SQL, FINISHED_STATUSES, isCaseStatus, type CaseStatus } from './workflow.ts';
import { caseScopeSql, type CaseScope } from './policy.ts';
import { countersAnswer, countFromCounters, countSource, labelIndex, statusCounts } from './queue-counts.ts';
import { normaliseTag } from './tags.ts';
import { priorityCondition } from './priority.ts';
import { londonMonthRange } from '../../platform/time/london.ts';

/** The sorts the queue offers. */
export const QUEUE_SORTS = ['received_desc', 'received_asc', 'due', 'priority'] as const;

/** A queue sort. */
export type QueueSort = (typeof QUEUE_SORTS)[number];

/** Words for each sort. */
export const SORT_LABELS: Record<QueueSort, string> = {
  received_desc: 'Newest first',
  received_asc: 'Oldest first',
  due: 'Next due first, then cases with no due time',
  priority: 'Priority, then oldest (feedback last)',
};

/** Statuses still being worked on (the default view). */
export const ACTIVE_STATUSES: readonly CaseStatus[] = CASE_STATUSES.filter((s) => !FINISHED_STATUSES.includes(s));

/**
 * The active statuses as the partial indexes of active cases state them (cases_active_received, cases_active_priority
 * in src/platform/db/schema.ts): a query names them so, as literals, for SQLite to see that it may use those indexes.
 */
export const ACTIVE_STATUS_TERM = `status IN (${ACTIVE_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/** Queue filters; every field is optional. */
export interface QueueFilter {
  /** 'active' for all unfinished statuses, 'all' for everything, or one status. */
  status?: string;
  categoryId?: string;
  districtId?: string;
  wardId?: string;
  /** One priority (P1 to P4), or HIGH_PRIORITY (priority.ts) for P1 and P2 together. */
  priority?: string;
  channel?: string;
  /** A user id, or 'unassigned'. */
  owner?: string;
  overdue?: boolean;
  /** Only cases with a referral past its due time (acknowledge, or complete once acknowledged). */
  referralOverdue?: boolean;
  flag?: string;
  tag?: string;
  incidentId?: string;
  /** Only cases received in this London month (YYYY-MM), or from this month to `until`. */
  month?: string;
  /**
   * With `month` and a ward: the last London month of receipt (YYYY-MM, after `month`), for a range of months
   * (`month=2026-07..2026-09`), as the hot-spots page's links give it. Only with a ward, so its count reads one ward's
   * cases (a few hundred a month at a million), never every case of the range.
   */
  until?: string;
  /**
   * With `month` and a ward: only the reports the figures count (the hot-spots, the dashboard): feedback and cases
   * resolved as duplicate or spam are left out, so a hot-spot's link lists the cases behind its figure.
   */
  counted?: boolean;
  /** The cases the viewer may see (policy.caseScope); never read from the query string. Absent: every case. */
  scope?: CaseScope;
}

/** One row of the queue. */
export interface QueueRow {
  id: string;
  ref: string;
  receivedAt: number;
  kind: string;
  categoryId: string | null;
  districtId: string | null;
  wardId: string | null;
  priority: string | null;
  status: string;
  channel: string;
  ownerId: string | null;
  ownerName: string | null;
  team: string | null;
  nextDueAt: number | null;
  flags: string[];
  tags: string[];
  incidentId: string | null;
  /** The case's version: a bulk change made from this row is refused once someone else has changed the case. */
  version: number;
}

/** A page of the queue. */
export interface QueuePage {
  rows: QueueRow[];
  /** Cursor for the next page, or null on the last page. */
  next: string | null;
}

const FILTER_KEYS = ['status', 'category', 'district', 'ward', 'priority', 'channel', 'owner', 'overdue', 'referral', 'flag', 'tag', 'incident', 'month', 'counted', 'sort'] as const;

/** Read filters and sort from a query string (unknown values are ignored). */
export function parseQueueQuery(params: URLSearchParams): { filter: QueueFilter; sort: QueueSort; cursor: string | null } {
  const get = (k: string) => {
    const v = params.get(k)?.trim();
    return v ? v.slice(0, 100) : undefined;
  };
  const status = get('status');
  const sort = get('sort');
  const { month, until } = parseMonths(get('month'));
  // A range of months and the counted reports come with a ward (the hot-spots' links): see QueueFilter.
  const ward = get('ward');
  return {
    filter: {
      status: status === 'all' || status === 'active' || isCaseStatus(status) ? status : 'active',
      categoryId: get('category'),
      districtId: get('district'),
      wardId: ward,
      priority: get('priority'),
      channel: get('channel'),
      owner: get('owner'),
      overdue: params.get('overdue') === '1' || params.get('overdue') === 'yes' ? true : undefined,
      referralOverdue: params.get('referral') === 'overdue' ? true : undefined,
      flag: get('flag'),
      // As tags are stored ("Fly Tipping" finds fly-tipping); nothing left is no filter.
      tag: normaliseTag(get('tag') ?? '') || undefined,
      incidentId: get('incident'),
      // A range without its ward is no month at all ("Any time" in the form), never silently its first month.
      month: until && !ward ? undefined : month,
      until: ward ? until : undefined,
      counted: ward && month && params.get('counted') === '1' ? true : undefined,
    },
    sort: (QUEUE_SORTS as readonly string[]).includes(sort ?? '') ? (sort as QueueSort) : 'received_desc',
    cursor: get('after') ?? null,
  };
}

/** The months of a `month` parameter: one London month (YYYY-MM), or a range forwards (YYYY-MM..YYYY-MM); none when malformed. */
export function parseMonths(value: string | undefined): { month?: string; until?: string } {
  const [first, last, ...more] = (value ?? '').split('..');
  if (!first || !londonMonthRange(first) || more.length) return {};
  if (last === undefined || last === first) return { month: first };
  return londonMonthRange(last) && last > first ? { month: first, until: last } : {};
}

/** A `month` parameter for a month, or a range of months when `until` is after it. */
export function monthsParam(month: string, until?: string): string {
  return until && until > month ? `${month}..${until}` : month;
}

/** Write filters and sort back to a query string (defaults left out). */
export function queueQueryString(filter: QueueFilter, sort: QueueSort = 'received_desc', extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  if (filter.status && filter.status !== 'active') p.set('status', filter.status);
  if (filter.categoryId) p.set('category', filter.categoryId);
  if (filter.districtId) p.set('district', filter.districtId);
  if (filter.wardId) p.set('ward', filter.wardId);
  if (filter.priority) p.set('priority', filter.priority);
  if (filter.channel) p.set('channel', filter.channel);
  if (filter.owner) p.set('owner', filter.owner);
  if (filter.overdue) p.set('overdue', '1');
  if (filter.referralOverdue) p.set('referral', 'overdue');
  if (filter.flag) p.set('flag', filter.flag);
  if (filter.tag) p.set('tag', filter.tag);
  if (filter.incidentId) p.set('incident', filter.incidentId);
  // A range and the counted reports only with a ward, as parseQueueQuery reads them.
  if (filter.month && (filter.wardId || !filter.until)) p.set('month', monthsParam(filter.month, filter.until));
  if (filter.month && filter.wardId && filter.counted) p.set('counted', '1');
  if (sort !== 'received_desc') p.set('sort', sort);
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** The query-string keys the queue understands. */
export const QUEUE_KEYS: readonly string[] = FILTER_KEYS;

interface Where {
  clauses: string[];
  args: InValue[];
}

/**
 * WHERE clauses for a filter. With a multi-status filter the status term is written `+c.status` so SQLite
 * does not pick the status index and sort every active case; it walks the sort's index instead.
 */
function whereFor(filter: QueueFilter, now: number, options: { skipStatus?: boolean; /** The multi-status term as the active partial indexes state it. */ activeIndex?: boolean } = {}): Where {
  const clauses: string[] = [];
  const args: InValue[] = [];
  const scoped = filter.scope ? caseScopeSql(filter.scope) : null;
  if (scoped) {
    clauses.push(scoped.clause);
    args.push(...scoped.args);
  }
  const eq = (col: string, v: string | undefined) => {
    if (v) {
      clauses.push(`c.${col} = ?`);
      args.push(v);
    }
  };
  if (!options.skipStatus) {
    if (!filter.status || filter.status === 'active') {
      if (options.activeIndex) clauses.push(`c.${ACTIVE_STATUS_TERM}`);
      else {
        clauses.push(`+c.status IN (${ACTIVE_STATUSES.map(() => '?').join(', ')})`);
        args.push(...ACTIVE_STATUSES);
      }
    } else if (filter.status !== 'all') eq('status', filter.status);
  }
  eq('category_id', filter.categoryId);
  eq('district_id', filter.districtId);
  eq('ward_id', filter.wardId);
  if (filter.priority) {
    const condition = priorityCondition('c.priority', filter.priority);
    clauses.push(condition.clause);
    args.push(...condition.args);
  }
  eq('channel', filter.channel);
  eq('incident_id', filter.incidentId);
  if (filter.owner === 'unassigned') clauses.push('c.owner_id IS NULL');
  else eq('owner_id', filter.owner);
  if (filter.overdue) {
    clauses.push('c.next_due_at < ?');
    args.push(now);
  }
  if (filter.referralOverdue) {
    clauses.push(REFERRAL_OVERDUE_SQL);
    args.push(now, now);
  }
  if (filter.flag) {
    clauses.push("instr(c.flags, ?) > 0");
    args.push(JSON.stringify(filter.flag));
  }
  if (filter.tag) {
    clauses.push("instr(c.tags, ?) > 0");
    args.push(JSON.stringify(filter.tag));
  }
  const received = filter.month ? receivedRange(filter.month, filter.until) : null;
  if (received) {
    clauses.push('c.received_at >= ?', 'c.received_at < ?');
    args.push(...received);
    if (filter.counted) clauses.push(COUNTED_REPORT_SQL);
  }
  return { clauses, args };
}

/** The received times of a month, or of the months from `month` to `until`: [from, to); null for a malformed month. */
export function receivedRange(month: string, until?: string): [number, number] | null {
  const first = londonMonthRange(month);
  const last = until && until > month ? londonMonthRange(until) : first;
  return first && last ? [first[0], last[1]] : null;
}

/** A case with a referral past the due time it works to: acknowledge while sent, then complete (lifecycle.referralTarget). */
const REFERRAL_OVERDUE_SQL =
  "EXISTS (SELECT 1 FROM referrals r WHERE r.case_id = c.id AND ((r.status = 'sent' AND r.acknowledge_due_at <= ?) " +
  "OR (r.status IN ('acknowledged', 'accepted', 'in_progress') AND r.complete_due_at <= ?)))";

/** Encode a keyset cursor. */
function encodeCursor(values: (string | number | null)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** Decode a keyset cursor; null if it is malformed. */
function decodeCursor(cursor: string | null | undefined, length: number): (string | number)[] | null {
  if (!cursor) return null;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === length && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v;
  } catch {
    /* fall through */
  }
  return null;
}

/**
 * Each sort's keyset. A sort by a key some cases lack (no due time: feedback, and cases whose timers are paused or
 * done; no priority: feedback) lists the cases that have it first, then those without it, oldest first (REST): the
 * second phase's cursors start with REST_MARK. Each phase reads one index range, so neither needs a COALESCE.
 */
const SORTS: Record<QueueSort, { keys: string[]; order: string; op: '<' | '>'; nullable?: string; restTerm?: string; pick: (r: QueueRow) => (string | number)[] }> = {
  received_desc: { keys: ['c.received_at', 'c.id'], order: 'c.received_at DESC, c.id DESC', op: '<', pick: (r) => [r.receivedAt, r.id] },
  received_asc: { keys: ['c.received_at', 'c.id'], order: 'c.received_at ASC, c.id ASC', op: '>', pick: (r) => [r.receivedAt, r.id] },
  due: { keys: ['c.next_due_at', 'c.id'], order: 'c.next_due_at ASC, c.id ASC', op: '>', nullable: 'c.next_due_at', restTerm: '+c.next_due_at IS NULL', pick: (r) => [r.nextDueAt ?? 0, r.id] },
  priority: { keys: ['c.priority', 'c.received_at', 'c.id'], order: 'c.priority ASC, c.received_at ASC, c.id ASC', op: '>', nullable: 'c.priority', pick: (r) => [r.priority ?? '', r.receivedAt, r.id] },
};

/** The second phase of a sort with a nullable key: the cases without it, oldest first. */
const REST = { keys: ['c.received_at', 'c.id'], order: 'c.received_at ASC, c.id ASC', op: '>' as const, pick: (r: QueueRow) => [r.receivedAt, r.id] };

/** The first value of a cursor into the second phase (REST) of a sort with a nullable key. */
const REST_MARK = 'rest';

function parseJsonList(v: unknown): string[] {
  if (typeof v !== 'string') return [];
  try {
    const parsed = JSON.parse(v);
    return Array.isArray(parsed) ? parsed.filter((x) => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** Turn a raw row into a QueueRow. */
function toRow(r: Record<string, unknown>): QueueRow {
  return {
    id: String(r.id),
    ref: String(r.ref),
    receivedAt: Number(r.received_at),
    kind: String(r.kind),
    categoryId: (r.category_id as string) ?? null,
    districtId: (r.district_id as string) ?? null,
    wardId: (r.ward_id as string) ?? null,
    priority: (r.priority as string) ?? null,
    status: String(r.status),
    channel: String(r.channel),
    ownerId: (r.owner_id as string) ?? null,
    ownerName: (r.owner_name as string) ?? null,
    team: (r.team as string) ?? null,
    nextDueAt: r.next_due_at == null ? null : Number(r.next_due_at),
    flags: parseJsonList(r.flags),
    tags: parseJsonList(r.tags),
    incidentId: (r.incident_id as string) ?? null,
    version: Number(r.version ?? 0),
  };
}

const COLUMNS = 'c.id, c.ref, c.received_at, c.kind, c.category_id, c.district_id, c.ward_id, c.priority, c.status, c.channel, c.owner_id, c.team, c.next_due_at, c.flags, c.tags, c.incident_id, c.version';

/**
 * The index a queue page reads, when the planner's own choice could read far more than the page needs:
 * - an incident's cases are a handful: its index, then a sort of those, whatever the sort;
 * - on the active view, the priority sort, the overdue, flag and tag filters in received order and the due sort's
 *   cases without a due time walk the active cases only (a few in a hundred after years of closed cases), in the
 *   order the page wants; walking every case by priority or by time (to the end, when few match), or sorting every
 *   case with a due time, took 130–750 ms at a million;
 * - with a flag or a tag, the due and priority sorts read an index that holds the flags and tags (every case with a
 *   due time; the active cases), so a case that does not match costs no look-up of its row, then sort the few that
 *   match: walking in due or priority order and reading each case's row took 45–150 ms at a million.
 */
function queueIndex(filter: QueueFilter, sort: QueueSort, rest: boolean): string {
  if (filter.incidentId) return ' INDEXED BY cases_incident';
  const labelled = Boolean(filter.flag || filter.tag);
  // A month without a flag or tag, by due time: the month's range of received times holds the page's cases (a month is
  // a few in a hundred of them), where the due-time index holds no received time, so walking it looked up every case
  // with a due time (60 ms at a million). The active cases' index holds both times.
  if (filter.month && !filter.until && !labelled && sort === 'due' && !filter.overdue) {
    if (!filter.status || filter.status === 'active') return ' INDEXED BY cases_active_received';
    return filter.status === 'all' ? ' INDEXED BY cases_received' : '';
  }
  // By due time, on the active view or every status: the due-time index in order (a cursor's range on the due time
  // made the planner sort every case with a due time instead, 160–240 ms for a second page).
  if (sort === 'due' && !rest && (!filter.status || filter.status === 'active' || filter.status === 'all')) return labelled ? ' INDEXED BY cases_due_facets' : ' INDEXED BY cases_due';
  if (filter.status && filter.status !== 'active') return '';
  if (sort === 'priority' && labelled) return ' INDEXED BY cases_active_received';
  if (sort === 'priority' && !rest) return ' INDEXED BY cases_active_priority';
  const sparse = filter.overdue || labelled;
  if ((sort === 'due' && rest) || (sparse && (sort === 'received_desc' || sort === 'received_asc'))) return ' INDEXED BY cases_active_received';
  return '';
}

/**
 * The SQL and arguments for one queue page (exposed for the benchmark's EXPLAIN). `rest` reads the second phase of
 * a sort with a nullable key (the cases without it); a cursor into that phase starts with REST_MARK.
 */
export function queueSql(
  filter: QueueFilter,
  sort: QueueSort,
  cursor: string | null,
  limit: number,
  now: number,
  rest = false,
  /** Read the few cases with the filter's flag or tag through its partial index (fewLabelled). */
  labels?: LabelIndex,
): { sql: string; args: InValue[] } {
  const sorted = SORTS[sort];
  const spec = rest ? REST : sorted;
  const raw = decodeCursor(cursor, rest ? spec.keys.length + 1 : spec.keys.length);
  const after = rest ? (raw?.[0] === REST_MARK ? raw.slice(1) : null) : raw;
  // Page the cases first, then join owner names onto just that page.
  const outer = (inner: string, args: InValue[]) => ({
    sql: `SELECT p.*, u.name AS owner_name FROM (${inner}) p LEFT JOIN users u ON u.id = p.owner_id ORDER BY ${spec.order.replaceAll('c.', 'p.')}`,
    args,
  });
  const nullable = sorted.nullable ? [rest ? (sorted.restTerm ?? `${sorted.nullable} IS NULL`) : `${sorted.nullable} IS NOT NULL`] : [];
  if (overdueEverywhere(filter, sort)) {
    // Two ranges, each read in page order, then merged: the active cases through their index in the page's order
    // (received, or priority), and the finished ones through the due-time index (none, while finishing a case clears
    // its due time; read, not assumed).
    const activeIndex = sort === 'priority' && !rest ? 'cases_active_priority' : 'cases_active_received';
    const active = queueBranch({ ...filter, status: 'active' }, ` INDEXED BY ${activeIndex}`, { activeIndex: true }, nullable, spec, after, limit, now);
    const finished = queueBranch(filter, ' INDEXED BY cases_due_facets', { skipStatus: true }, [FINISHED_STATUS_TERM, ...nullable], spec, after, limit, now);
    const order = spec.order.replaceAll('c.', '');
    return outer(`SELECT * FROM (${active.sql}) UNION ALL SELECT * FROM (${finished.sql}) ORDER BY ${order} LIMIT ?`, [...active.args, ...finished.args, limit + 1]);
  }
  if (labels) {
    // The page's ids from the label's index alone (it holds every filter column and the sort keys), then their rows
    // (CROSS JOIN: SQLite keeps this order, where a small table's statistics could make it walk every case instead).
    const few = queueBranch(filter, ` INDEXED BY ${labels.index}`, { activeIndex: true }, [labels.clause, ...nullable], spec, after, limit, now, 'c.id');
    return outer(`SELECT ${COLUMNS} FROM (${few.sql}) k CROSS JOIN cases c ON c.id = k.id`, few.args);
  }
  const indexed = queueIndex(filter, sort, rest);
  const page = queueBranch(filter, indexed, { activeIndex: indexed.includes('cases_active_') }, nullable, spec, after, limit, now);
  return outer(page.sql, page.args);
}

/** The finished statuses as literals, for the due-time index's leading column. */
const FINISHED_STATUS_TERM = `c.status IN (${FINISHED_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/**
 * Whether a page is the overdue filter over every status in received or priority order (the due sort reads the
 * due-time index in order already): sorting every overdue case took 125–140 ms at a million; it reads two short ranges.
 */
function overdueEverywhere(filter: QueueFilter, sort: QueueSort): boolean {
  return filter.overdue === true && filter.status === 'all' && !filter.incidentId && sort !== 'due';
}

/** One SELECT of a queue page: the filter's cases (their `columns`) through `indexed`, after the cursor, in the sort's order, limit + 1 of them. */
function queueBranch(
  filter: QueueFilter,
  indexed: string,
  options: Parameters<typeof whereFor>[2],
  extra: string[],
  spec: { keys: string[]; order: string; op: '<' | '>' },
  after: (string | number)[] | null,
  limit: number,
  now: number,
  columns = COLUMNS,
): { sql: string; args: InValue[] } {
  const where = whereFor(filter, now, options);
  where.clauses.push(...extra);
  if (after) {
    where.clauses.push(`(${spec.keys.join(', ')}) ${spec.op} (${spec.keys.map(() => '?').join(', ')})`);
    where.args.push(...after);
  }
  const whereSql = where.clauses.length ? `WHERE ${where.clauses.join(' AND ')}` : '';
  return { sql: `SELECT ${columns} FROM cases c${indexed} ${whereSql} ORDER BY ${spec.order} LIMIT ?`, args: [...where.args, limit + 1] };
}

/** A flag's or the tags' partial index and its condition (queue-counts.ts labelIndex), and how many cases match (under the limit). */
type LabelIndex = NonNullable<ReturnType<typeof labelIndex>> & { count: number };

/**
 * The most cases a flag or tag list reads through the label's partial index (their keys only, then a page of rows);
 * with more, the sort's own index is walked, where a page of matches comes soon.
 */
const LABEL_SORT_MAX = 10_000;

/**
 * For a flag or tag filter (without an incident, overdue or referral overdue filter, which have indexes of their own):
 * the label's partial index, when fewer than `max` cases match (counted through it, up to that many; the statuses are
 * its first column, so the active view reads only its own entries), else undefined. A rare flag or a tag no case
 * carries made the walk in page order read every case: 190–840 ms at a million, 100–150 ms on the active view.
 */
export async function fewLabelled(filter: QueueFilter, now: number, max = LABEL_SORT_MAX): Promise<LabelIndex | undefined> {
  if (filter.incidentId || filter.overdue || filter.referralOverdue) return undefined;
  const labels = labelIndex(filter);
  if (!labels) return undefined;
  const where = whereFor(filter, now, { activeIndex: true });
  const sql = `SELECT count(*) AS n FROM (SELECT 1 FROM cases c INDEXED BY ${labels.index} WHERE ${[labels.clause, ...where.clauses].join(' AND ')} LIMIT ?)`;
  const [row] = (await getDatabase().client.execute({ sql, args: [...where.args, max] })).rows;
  const count = Number(row?.n);
  return count < max ? { ...labels, count } : undefined;
}

/** Read up to limit + 1 rows of one phase of a sort. */
async function readPhase(filter: QueueFilter, sort: QueueSort, cursor: string | null, limit: number, now: number, rest: boolean, labels: LabelIndex | undefined): Promise<QueueRow[]> {
  const { sql, args } = queueSql(filter, sort, cursor, limit, now, rest, labels);
  const result = await getDatabase().client.execute({ sql, args });
  return result.rows.map((r) => toRow(r as unknown as Record<string, unknown>));
}

/** True when a cursor points into the second phase (REST) of a sort with a nullable key. */
function isRestCursor(cursor: string | null): boolean {
  const v = decodeCursor(cursor, REST.keys.length + 1);
  return v !== null && v[0] === REST_MARK;
}

/**
 * One page of the queue: `limit` rows after the cursor, and the cursor for the next page. With a sort by a nullable
 * key, the cases without the key follow the others (REST), so every case matching the filter is listed once.
 */
export async function listQueue(filter: QueueFilter, sort: QueueSort = 'received_desc', cursor: string | null = null, now = Date.now(), limit = 50): Promise<QueuePage> {
  const nullable = SORTS[sort].nullable !== undefined;
  const inRest = nullable && isRestCursor(cursor);
  const labels = await fewLabelled(filter, now);
  if (labels?.count === 0) return { rows: [], next: null };
  let rows = await readPhase(filter, sort, cursor, limit, now, inRest, labels);
  // The first phase ran out on this page: the cases without the key fill it.
  const restFrom = inRest ? 0 : rows.length;
  if (nullable && !inRest && rows.length <= limit) rows = rows.concat(await readPhase(filter, sort, null, limit - rows.length, now, true, labels));
  const more = rows.length > limit;
  if (more) rows.pop();
  const lastIndex = rows.length - 1;
  const last = rows[lastIndex];
  const next = !more || !last ? null : nullable && lastIndex >= restFrom ? encodeCursor([REST_MARK, ...REST.pick(last)]) : encodeCursor(SORTS[sort].pick(last));
  return { rows, next };
}

/** Every matching case in sort order, in pages (for export); stops after `max` rows. */
export async function* allQueueRows(filter: QueueFilter, sort: QueueSort, now = Date.now(), max = 100_000): AsyncGenerator<QueueRow> {
  let cursor: string | null = null;
  let seen = 0;
  do {
    const page: QueuePage = await listQueue(filter, sort, cursor, now, 1000);
    for (const row of page.rows) {
      if (seen++ >= max) return;
      yield row;
    }
    cursor = page.next;
  } while (cursor);
}

/**
 * Cases per status for the other filters (the status filter itself is ignored), exact on every call.
 * The facet filters (category, district, ward, priority, channel, owner) and the viewer's scope are answered by the
 * maintained counters (queue-counts.ts) for every status, by summing counter rows. With an incident, referral
 * overdue, overdue, flag or tag filter the count reads the cases through the one partial covering index that bounds
 * it (countSource): only the cases that can match are read; with a month, its range of received times (countSource,
 * overdueMonthCountSql). A flag no case can carry counts nothing.
 */
export async function countByStatus(filter: QueueFilter, now = Date.now()): Promise<Record<CaseStatus, number>> {
  if (countersAnswer(filter)) return countFromCounters(filter);
  const query = queueCountSql(filter, now);
  if (!query) return statusCounts([]);
  return statusCounts((await getDatabase().client.execute(query)).rows);
}

/** The SQL of a count the counters cannot answer, through the index countSource chooses (null: nothing to count). */
export function queueCountSql(filter: QueueFilter, now: number): { sql: string; args: InValue[] } | null {
  if (filter.month && filter.overdue && !filter.incidentId && !filter.referralOverdue && !labelIndex(filter)) return overdueMonthCountSql(filter, now);
  const source = countSource(filter, now);
  if (!source) return null;
  const where = whereFor(source.answers ? { ...filter, [source.answers]: undefined } : filter, now, { skipStatus: true });
  const clauses = [...source.clauses, ...where.clauses];
  return { sql: `SELECT c.status AS status, count(*) AS n FROM ${source.from} WHERE ${clauses.join(' AND ') || '1'} GROUP BY c.status`, args: [...source.args, ...where.args] };
}

/**
 * A month's overdue cases per status, in two ranges: the active cases' index holds the received and due times, so only
 * the matching cases' rows are read (for their status); the finished cases with a due time (none, while finishing a
 * case clears it; read, not assumed) come from the due-time index. Counting through the month's range instead looked
 * up each of its cases (24 ms at a million).
 */
function overdueMonthCountSql(filter: QueueFilter, now: number): { sql: string; args: InValue[] } {
  const where = whereFor(filter, now, { skipStatus: true });
  const branch = (index: string, status: string) => `SELECT c.status AS status FROM cases c INDEXED BY ${index} WHERE ${[status, ...where.clauses].join(' AND ')}`;
  return {
    sql: `SELECT status, count(*) AS n FROM (${branch('cases_active_received', `c.${ACTIVE_STATUS_TERM}`)} UNION ALL ${branch('cases_due_facets', FINISHED_STATUS_TERM)}) GROUP BY status`,
    args: [...where.args, ...where.args],
  };
}

/** Cases per status counted over the cases table for any filter, as the page did before the counters (the benchmark's reference). */
export async function countByStatusOnView(filter: QueueFilter, now = Date.now()): Promise<Record<CaseStatus, number>> {
  const where = whereFor(filter, now, { skipStatus: true });
  const sql = `SELECT c.status AS status, count(*) AS n FROM cases c WHERE ${where.clauses.join(' AND ') || '1'} GROUP BY c.status`;
  const result = await getDatabase().client.execute({ sql, args: where.args });
  return statusCounts(result.rows);
}
