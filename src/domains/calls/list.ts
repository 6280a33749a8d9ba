/** The call log: filters read from the query string, a page of calls, and every matching call for export. */
import { and, count, desc, eq, gte, isNotNull, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { getDb } from '../../platform/db/client.ts';
import { calls, cases, users } from '../../platform/db/schema.ts';
import { londonDayStart, nextDay } from '../../platform/time/london.ts';
import { isCallReason, OUTCOME_VALUES } from './reasons.ts';
import { caseScopeCondition, type CaseScope } from '../cases/policy.ts';

/** Call log filters; every field is optional. Days are London calendar days, YYYY-MM-DD, `to` inclusive. */
export interface CallFilter {
  from?: string;
  to?: string;
  handlerId?: string;
  reason?: string;
  outcome?: string;
  /** The viewer's cases (caseScope): a call's case outside it shows no reference. Never from the query string. */
  scope?: CaseScope;
  /** 'case' for calls linked to a case, 'none' for calls without one. */
  linked?: 'case' | 'none';
}

/** One row of the call log (no caller contact details: those stay on the call screen's look-up). */
export interface CallRow {
  id: string;
  startedAt: number;
  durationS: number;
  reason: string;
  outcome: string;
  handlerId: string;
  handlerName: string | null;
  caseId: string | null;
  caseRef: string | null;
  adviceSlugs: string[];
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Read filters from a query string; unknown values are dropped and named in `errors`. */
export function parseCallFilter(params: URLSearchParams): { filter: CallFilter; errors: { field: string; href: string; text: string }[] } {
  const filter: CallFilter = {};
  const errors: { field: string; href: string; text: string }[] = [];
  const get = (k: string) => params.get(k)?.trim().slice(0, 60) || undefined;
  for (const key of ['from', 'to'] as const) {
    const v = get(key);
    if (!v) continue;
    if (DAY.test(v) && londonDayStart(v) !== null) filter[key] = v;
    else errors.push({ field: key, href: `#${key}`, text: `${key === 'from' ? 'From' : 'To'} date must be a real date, like 2026-11-23` });
  }
  if (filter.from && filter.to && filter.to < filter.from) errors.push({ field: 'to', href: '#to', text: 'To date must be the same as or after the from date' });
  const handler = get('handler');
  if (handler && /^[0-9a-z]{1,40}$/.test(handler)) filter.handlerId = handler;
  const reason = get('reason');
  if (reason && isCallReason(reason)) filter.reason = reason;
  const outcome = get('outcome');
  if (outcome && (OUTCOME_VALUES as string[]).includes(outcome)) filter.outcome = outcome;
  const linked = get('linked');
  if (linked === 'case' || linked === 'none') filter.linked = linked;
  return { filter, errors };
}

/** The query string for a filter (for links, pagination and the export link). */
export function callFilterQuery(filter: CallFilter, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  if (filter.from) p.set('from', filter.from);
  if (filter.to) p.set('to', filter.to);
  if (filter.handlerId) p.set('handler', filter.handlerId);
  if (filter.reason) p.set('reason', filter.reason);
  if (filter.outcome) p.set('outcome', filter.outcome);
  if (filter.linked) p.set('linked', filter.linked);
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** SQL conditions for a filter. */
export function callConditions(filter: CallFilter): SQL | undefined {
  const where: SQL[] = [];
  const from = filter.from ? londonDayStart(filter.from) : null;
  const to = filter.to ? londonDayStart(nextDay(filter.to)) : null;
  if (from !== null) where.push(gte(calls.startedAt, from));
  if (to !== null) where.push(lt(calls.startedAt, to));
  if (filter.handlerId) where.push(eq(calls.handlerId, filter.handlerId));
  if (filter.reason) where.push(eq(calls.reason, filter.reason));
  if (filter.outcome) where.push(eq(calls.outcome, filter.outcome));
  if (filter.linked === 'case') where.push(isNotNull(calls.caseId));
  if (filter.linked === 'none') where.push(isNull(calls.caseId));
  return where.length ? and(...where) : undefined;
}

/** The rows of the call log; the reference of a case outside `scope` is left out (null), as the call screen's look-up does. */
function selectRows(scope: CaseScope | undefined) {
  const inScope = scope ? caseScopeCondition(scope) : undefined;
  return getDb()
    .select({
      id: calls.id,
      startedAt: calls.startedAt,
      durationS: calls.durationS,
      reason: calls.reason,
      outcome: calls.outcome,
      handlerId: calls.handlerId,
      handlerName: users.name,
      caseId: calls.caseId,
      caseRef: inScope ? sql<string | null>`case when ${inScope} then ${cases.ref} end` : cases.ref,
      adviceSlugs: calls.adviceSlugs,
    })
    .from(calls)
    .leftJoin(users, eq(users.id, calls.handlerId))
    .leftJoin(cases, eq(cases.id, calls.caseId));
}

/** One page of matching calls, newest first, with the total count. */
export async function listCalls(filter: CallFilter, page = 1, pageSize = 50): Promise<{ rows: CallRow[]; total: number; page: number; pages: number }> {
  const where = callConditions(filter);
  const [{ n } = { n: 0 }] = await getDb().select({ n: count() }).from(calls).where(where);
  const pages = Math.max(1, Math.ceil(n / pageSize));
  const current = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  const rows = await selectRows(filter.scope).where(where).orderBy(desc(calls.startedAt), desc(calls.id)).limit(pageSize).offset((current - 1) * pageSize);
  return { rows, total: n, page: current, pages };
}

/** Every matching call, newest first, up to `max` rows (for the CSV export). */
export async function exportCalls(filter: CallFilter, max = 100_000): Promise<CallRow[]> {
  return selectRows(filter.scope).where(callConditions(filter)).orderBy(desc(calls.startedAt), desc(calls.id)).limit(max);
}

/** Every matching call, newest first, in pages of `pageSize` read one at a time (keyset paging), up to `max` rows. */
export async function* callPages(filter: CallFilter, pageSize = 500, max = 100_000): AsyncGenerator<CallRow[]> {
  let last: CallRow | undefined;
  let seen = 0;
  while (seen < max) {
    const after = last ? or(lt(calls.startedAt, last.startedAt), and(eq(calls.startedAt, last.startedAt), lt(calls.id, last.id))) : undefined;
    const rows = await selectRows(filter.scope).where(and(callConditions(filter), after)).orderBy(desc(calls.startedAt), desc(calls.id)).limit(Math.min(pageSize, max - seen));
    if (rows.length === 0) return;
    seen += rows.length;
    yield rows;
    if (rows.length < pageSize) return;
    last = rows[rows.length - 1];
  }
}

/** Staff who have logged at least one call, for the handler filter. */
export async function listCallHandlers(): Promise<{ id: string; name: string }[]> {
  const rows = await getDb().selectDistinct({ id: users.id, name: users.name }).from(calls).innerJoin(users, eq(users.id, calls.handlerId)).orderBy(users.name);
  return rows;
}
