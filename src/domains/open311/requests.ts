/**
 * Open311 service requests. A POSTed request becomes a case in the same queue (channel `api`) through the web
 * journey's createCase, with the danger check applied. Reading is private by default: the public list shows only
 * categories marked public (never sensitive ones), never descriptions or names, and locations only to the ward;
 * a key with read access also sees the requests it posted itself, in the same coarse form.
 */
import { and, desc, eq, gte, inArray, lte, ne, or, isNull, type SQL } from 'drizzle-orm';
import type { Actor } from '../../platform/audit.ts';
import type { SiteConfig } from '../../platform/config/partnership.ts';
import { getDatabase, getDb, toStatement } from '../../platform/db/client.ts';
import { caseEvents, cases, open311Requests } from '../../platform/db/schema.ts';
import { newSecret } from '../../platform/security/ids.ts';
import { text } from '../../platform/forms/index.ts';
import { isInBounds } from '../../platform/map.ts';
import { toE164 } from '../../platform/uk/phone.ts';
import { normalisePostcode, wardForPlace } from '../../platform/uk/postcode.ts';
import { locatePostcode } from '../geography/index.ts';
import { priorityFor, type Priority } from '../cases/priority.ts';
import { publicStatus } from '../cases/workflow.ts';
import { normaliseEmail } from '../reports/answers.ts';
import { createCase } from '../reports/submit.ts';
import { addReporterInformation } from '../reports/track.ts';
import { quoteValue, type Open311Error, type Value } from './format.ts';
import { keyCoversService, type ApiKey } from './keys.ts';
import { ATTRIBUTE_CODES, isPublicCategory, serviceAttributes } from './services.ts';
import { coreStatus, extendedStatus } from './statuses.ts';

/** Raw parameters of a request: one value, or several for a repeated name. */
export type Params = Record<string, string | string[]>;

/** What the client is told when a request is accepted. */
export const SERVICE_NOTICE = 'Thank you. Your report is private: only the community safety team and the partners working on it see it.';

/** The longest description the spec allows. */
const DESCRIPTION_MAX = 4000;

/** The first value of a parameter, trimmed ('' when absent). */
function one(params: Params, name: string): string {
  const v = params[name];
  return (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();
}

/** A 400 error. */
function bad(description: string): Open311Error {
  return { code: 400, description };
}

/** A validated POST requests body, ready to become a case. */
export interface PostedRequest {
  serviceCode: string;
  description: string;
  postcode: string | null;
  locationText: string;
  wardId: string | null;
  /** The caller's lat and long (WGS84 degrees), stored with location source 'api'. */
  lat: number | null;
  lon: number | null;
  privacy: 'named' | 'confidential' | 'anonymous';
  reporter: { name: string | null; email: string | null; phoneE164: string | null } | null;
  riskAnswers: Record<string, string>;
  priority: Priority;
}

/** Check a POSTed request against the spec and the service definition; errors use the spec's codes (404 for an unknown service). */
export function parsePostedRequest(params: Params, config: SiteConfig): { ok: true; request: PostedRequest } | { ok: false; errors: Open311Error[] } {
  const serviceCode = one(params, 'service_code');
  if (!serviceCode) return { ok: false, errors: [bad('service_code is required')] };
  const category = config.categories.find((c) => c.id === serviceCode);
  if (!category) return { ok: false, errors: [{ code: 404, description: `service_code ${quoteValue(serviceCode)} was not found` }] };
  const errors: Open311Error[] = [];
  const answers: Record<string, string> = {};
  for (const attribute of serviceAttributes(config)) {
    const value = one(params, `attribute[${attribute.code}]`);
    if (!value) {
      if (attribute.required) errors.push(bad(`attribute[${attribute.code}] is required: ${attribute.description}`));
      continue;
    }
    if (!attribute.values.some((v) => v.key === value)) errors.push(bad(`attribute[${attribute.code}] must be one of: ${attribute.values.map((v) => v.key).join(', ')}`));
    else answers[attribute.code] = value;
  }
  if (answers[ATTRIBUTE_CODES.danger] === 'yes') {
    return { ok: false, errors: [bad(`Someone is in danger right now: tell them to call ${config.partnership.phones.emergency.number} now. This request has not been recorded.`)] };
  }
  const description = text({ label: 'description', max: DESCRIPTION_MAX, multiline: true, plain: true, required: 'description is required: say what happened' }).safeParse(params.description);
  if (!description.success) errors.push(...description.error.issues.map((i) => bad(i.message)));
  const location = readLocation(params, config);
  if ('error' in location) errors.push(bad(location.error));
  const contact = readContact(params);
  if ('error' in contact) errors.push(bad(contact.error));
  if (errors.length || !description.success || 'error' in location || 'error' in contact) return { ok: false, errors };
  const privacy = (answers[ATTRIBUTE_CODES.privacy] as PostedRequest['privacy'] | undefined) ?? 'confidential';
  const wardId = answers[ATTRIBUTE_CODES.ward] ?? location.wardId;
  const riskAnswers: Record<string, string> = {};
  if (answers[ATTRIBUTE_CODES.hate] === 'yes' || answers[ATTRIBUTE_CODES.hate] === 'no') riskAnswers.hate = answers[ATTRIBUTE_CODES.hate]!;
  if (answers[ATTRIBUTE_CODES.vulnerable] === 'yes' || answers[ATTRIBUTE_CODES.vulnerable] === 'no') riskAnswers.vulnerable = answers[ATTRIBUTE_CODES.vulnerable]!;
  const priority = priorityFor({ risk: 'none', repeat: 'no', hate: riskAnswers.hate === 'yes' ? 'yes' : 'no', vulnerable: riskAnswers.vulnerable === 'yes' ? 'yes' : 'no' }, category.defaultPriority);
  const reporter = privacy === 'anonymous' || !(contact.name || contact.email || contact.phoneE164) ? null : contact;
  return { ok: true, request: { serviceCode, description: description.data, postcode: location.postcode, locationText: location.text, wardId, lat: location.lat, lon: location.lon, privacy: reporter ? privacy : 'anonymous', reporter, riskAnswers, priority } };
}

/** The location: lat and long, address_string (a postcode or a place), or address_id; the ward when we can tell it. */
function readLocation(params: Params, config: SiteConfig): { postcode: string | null; text: string; wardId: string | null; lat: number | null; lon: number | null } | { error: string } {
  const lat = one(params, 'lat');
  const long = one(params, 'long');
  const address = one(params, 'address_string');
  const addressId = one(params, 'address_id');
  if (lat || long) {
    const la = Number(lat);
    const lo = Number(long);
    if (!lat || !long || !Number.isFinite(la) || !Number.isFinite(lo) || Math.abs(la) > 90 || Math.abs(lo) > 180) return { error: 'lat and long must both be given, as decimal degrees' };
    // As the web journey's map pin: a point outside the partnership's map is not a place it covers.
    const bounds = config.partnership.map?.bounds;
    if (bounds && !isInBounds(bounds, la, lo)) return { error: `lat and long ${la}, ${lo} are not in the area ${config.partnership.name} covers` };
  }
  if (!(lat && long) && !address && !addressId) return { error: 'A location is required: lat and long, address_string or address_id' };
  if (address.length > 500 || addressId.length > 200) return { error: 'address_string must be 500 characters or fewer, address_id 200' };
  const postcode = address ? normalisePostcode(address) : null;
  const located = postcode ? locatePostcode(postcode, config) : null;
  if (postcode && located?.kind === 'out-of-area') return { error: `${postcode} is not in the area ${config.partnership.name} covers` };
  const wardId = located && located.kind !== 'out-of-area' ? located.wardId : address ? wardForPlace(address, config.gazetteer) : null;
  const text = [address, addressId && `address_id ${addressId}`, lat && long && `${Number(lat)}, ${Number(long)}`].filter(Boolean).join('; ');
  return { postcode, text, wardId, lat: lat && long ? Number(lat) : null, lon: lat && long ? Number(long) : null };
}

/** The reporter's name, e-mail and phone, checked. */
function readContact(params: Params): { name: string | null; email: string | null; phoneE164: string | null } | { error: string } {
  const name = [one(params, 'first_name'), one(params, 'last_name')].filter(Boolean).join(' ').slice(0, 200) || null;
  const rawEmail = one(params, 'email');
  const rawPhone = one(params, 'phone');
  const email = rawEmail ? normaliseEmail(rawEmail) : null;
  if (rawEmail && !email) return { error: 'email must be an e-mail address, like name@example.com' };
  const phoneE164 = rawPhone ? toE164(rawPhone) : null;
  if (rawPhone && !phoneE164) return { error: 'phone must be a UK phone number' };
  return { name, email, phoneE164 };
}

/** Create the case for a checked request, with its Open311 token, in one write. */
export async function submitRequest(request: PostedRequest, key: Pick<ApiKey, 'id'>, ctx: { config: SiteConfig; actor: Actor; publicUrl: string }, now = Date.now()): Promise<{ caseId: string; ref: string; token: string }> {
  const token = newSecret(15);
  const created = await createCase(
    {
      kind: 'report', channel: 'api', categoryId: request.serviceCode, description: request.description, postcode: request.postcode, locationText: request.locationText,
      wardId: request.wardId, lat: request.lat, lon: request.lon, locationSource: request.lat !== null ? 'api' : null, privacy: request.privacy, consentShare: false, reporter: request.reporter, riskAnswers: Object.keys(request.riskAnswers).length ? request.riskAnswers : null, priority: request.priority,
    },
    { ...ctx, extra: ({ id }) => [toStatement(getDatabase().db.insert(open311Requests).values({ token, caseId: id, keyId: key.id, createdAt: now }))] },
    now,
  );
  return { caseId: created.id, ref: created.ref, token };
}

/** The service request id a token stands for, or null. */
export async function findToken(token: string): Promise<{ service_request_id: string; token: string } | null> {
  if (token.length > 64) return null;
  const [row] = await getDb().select({ ref: cases.ref }).from(open311Requests).innerJoin(cases, eq(cases.id, open311Requests.caseId)).where(eq(open311Requests.token, token));
  return row ? { service_request_id: row.ref, token } : null;
}

/** An Open311 datetime: ISO 8601 in UTC, to the second. */
export function formatDatetime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Read an Open311 datetime (a timezone is required); null when it is not one, or not a real date and time (30 February, 24:00). */
export function parseDatetime(value: string): number | null {
  if (!DATETIME.test(value)) return null;
  const [year, month, day, hour, minute, second] = value.slice(0, 19).split(/[-T:]/).map(Number) as [number, number, number, number, number, number | undefined];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || (second ?? 0) > 59) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** The last millisecond an end datetime names: to the end of its minute or second when it gives no finer part (requests are shown to the second). */
export function endOfDatetime(value: string, ms: number): number {
  if (/T\d{2}:\d{2}(?:Z|[+-])/.test(value)) return ms + 59_999;
  if (!/\.\d/.test(value)) return ms + 999;
  return ms;
}

/** The longest span start_date to end_date may cover, and the default. */
export const MAX_SPAN_MS = 90 * 86_400_000;

/** The largest page. */
export const MAX_PAGE_SIZE = 1000;

/** The filters of GET requests and servicerequestupdates, checked. */
export interface RequestQuery {
  ids: string[] | null;
  serviceCodes: string[] | null;
  statuses: ('open' | 'closed')[] | null;
  from: number;
  to: number;
  page: number;
  pageSize: number;
}

/** A comma list parameter as its non-empty items, or null when absent. */
function commaList(params: Params, name: string): string[] | null {
  const v = one(params, name);
  return v ? [...new Set(v.split(',').map((s) => s.trim()).filter(Boolean))] : null;
}

/** A positive whole number parameter, the default when absent, or null when it is not one (or over max). */
function wholeNumber(params: Params, name: string, fallback: number, max: number): number | null {
  const v = one(params, name);
  if (!v) return fallback;
  return /^\d{1,7}$/.test(v) && Number(v) >= 1 && Number(v) <= max ? Number(v) : null;
}

/** Check the query of GET requests (or updates): dates with a timezone, at most 90 days apart, page and page_size. */
export function parseRequestQuery(params: Params, now = Date.now(), defaultSpanMs = MAX_SPAN_MS): { ok: true; query: RequestQuery } | { ok: false; errors: Open311Error[] } {
  const errors: Open311Error[] = [];
  const start = one(params, 'start_date');
  const end = one(params, 'end_date');
  const from = start ? parseDatetime(start) : null;
  const endMs = end ? parseDatetime(end) : null;
  const to = endMs === null ? null : endOfDatetime(end, endMs);
  if (start && from === null) errors.push(bad('start_date must be a date and time with a timezone, like 2026-03-01T00:00:00Z'));
  if (end && to === null) errors.push(bad('end_date must be a date and time with a timezone, like 2026-03-31T23:59:59Z'));
  const statuses = commaList(params, 'status');
  if (statuses && statuses.some((s) => s !== 'open' && s !== 'closed')) errors.push(bad('status must be open, closed or both (open,closed)'));
  const page = wholeNumber(params, 'page', 1, 1_000_000);
  const pageSize = wholeNumber(params, 'page_size', MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  if (page === null) errors.push(bad('page must be a whole number from 1'));
  if (pageSize === null) errors.push(bad(`page_size must be a whole number from 1 to ${MAX_PAGE_SIZE}`));
  if (errors.length) return { ok: false, errors };
  // Without an end: the span from the start, up to now (a start in the future lists nothing, rather than an error about an end not given).
  const toMs = to ?? (from !== null ? Math.max(from, Math.min(from + defaultSpanMs, now)) : now);
  const fromMs = from ?? toMs - defaultSpanMs;
  if (toMs < fromMs) return { ok: false, errors: [bad('end_date must be after start_date')] };
  if (toMs - fromMs > MAX_SPAN_MS) return { ok: false, errors: [bad('start_date and end_date must be at most 90 days apart')] };
  return { ok: true, query: { ids: commaList(params, 'service_request_id'), serviceCodes: commaList(params, 'service_code'), statuses: statuses as ('open' | 'closed')[] | null, from: fromMs, to: toMs, page: page!, pageSize: pageSize! } };
}

/** Who is reading: the public, or a key with read access (which also sees the requests it posted). */
export type Reader = { key: Pick<ApiKey, 'id' | 'services' | 'canRead'> } | null;

/** The condition for the cases a reader may see: public categories, plus the reader's own posted requests in its services. */
function visibleTo(config: SiteConfig, reader: Reader): SQL | undefined {
  const publicIds = config.categories.filter(isPublicCategory).map((c) => c.id);
  const conditions: SQL[] = [];
  if (publicIds.length) conditions.push(inArray(cases.categoryId, publicIds));
  if (reader?.key.canRead) {
    const scoped = config.categories.filter((c) => keyCoversService(reader.key, c.id)).map((c) => c.id);
    if (scoped.length) conditions.push(and(eq(open311Requests.keyId, reader.key.id), inArray(cases.categoryId, scoped))!);
  }
  if (!conditions.length) return undefined;
  // Spam is never shown, and only reports (feedback is not a service).
  return and(or(...conditions), eq(cases.kind, 'report'), or(isNull(cases.resolutionCode), ne(cases.resolutionCode, 'spam')));
}

const requestColumns = { ref: cases.ref, status: cases.status, categoryId: cases.categoryId, wardId: cases.wardId, receivedAt: cases.receivedAt, statusChangedAt: cases.statusChangedAt };

/** One request as the spec lists its fields: no description, no names, the location only as the ward. */
function toRequest(row: { ref: string; status: string; categoryId: string | null; wardId: string | null; receivedAt: number; statusChangedAt: number }, config: SiteConfig): Value {
  const category = config.categories.find((c) => c.id === row.categoryId);
  const ward = config.areas.find((a) => a.id === row.wardId);
  const district = config.areas.find((a) => a.id === ward?.parent);
  return {
    service_request_id: row.ref,
    status: coreStatus(row.status),
    status_notes: publicStatus(row.status),
    service_name: category?.name ?? '',
    service_code: row.categoryId ?? '',
    agency_responsible: config.partnership.name,
    service_notice: '',
    requested_datetime: formatDatetime(row.receivedAt),
    updated_datetime: formatDatetime(row.statusChangedAt),
    address: ward ? `${ward.name}, ${district?.name ?? ''}`.replace(/, $/, '') : '',
  };
}

/** GET requests: the requests the reader may see, newest first, one page. */
export async function listRequests(query: RequestQuery, config: SiteConfig, reader: Reader): Promise<Value[]> {
  const visible = visibleTo(config, reader);
  if (!visible) return [];
  const filters: (SQL | undefined)[] = [visible];
  if (query.ids) filters.push(inArray(cases.ref, query.ids.map((id) => id.toUpperCase()).slice(0, MAX_PAGE_SIZE)));
  else {
    filters.push(gte(cases.receivedAt, query.from), lte(cases.receivedAt, query.to));
    if (query.serviceCodes) filters.push(inArray(cases.categoryId, query.serviceCodes));
    if (query.statuses && query.statuses.length === 1) {
      filters.push(query.statuses[0] === 'closed' ? inArray(cases.status, ['resolved', 'closed']) : and(ne(cases.status, 'resolved'), ne(cases.status, 'closed')));
    }
  }
  const rows = await getDb()
    .select(requestColumns)
    .from(cases)
    .leftJoin(open311Requests, eq(open311Requests.caseId, cases.id))
    .where(and(...filters))
    .orderBy(desc(cases.receivedAt), desc(cases.id))
    .limit(query.pageSize)
    .offset((query.page - 1) * query.pageSize);
  return rows.map((r) => toRequest(r, config));
}

/** GET requests/{id}: one request the reader may see, or null (404) whether or not it exists. */
export async function findRequest(id: string, config: SiteConfig, reader: Reader): Promise<Value | null> {
  const visible = visibleTo(config, reader);
  if (!visible || id.length > 40) return null;
  const [row] = await getDb().select(requestColumns).from(cases).leftJoin(open311Requests, eq(open311Requests.caseId, cases.id)).where(and(visible, eq(cases.ref, id.toUpperCase())));
  return row ? toRequest(row, config) : null;
}

/** The timeline entries that change what the reporter's status is. */
const STATUS_EVENTS = ['case.status', 'case.referred', 'case.reopened', 'case.duplicate.marked'];

/**
 * GET servicerequestupdates (the FixMyStreet extension): status changes, in extended statuses, of the requests the
 * key posted in its services, oldest first. The description is the status in the reporter's words, never a note.
 */
export async function listUpdates(query: RequestQuery, config: SiteConfig, key: Pick<ApiKey, 'id' | 'services'>): Promise<Value[]> {
  const scoped = config.categories.filter((c) => keyCoversService(key, c.id)).map((c) => c.id);
  if (!scoped.length) return [];
  const rows = await getDb()
    .select({ id: caseEvents.id, at: caseEvents.at, action: caseEvents.action, data: caseEvents.data, ref: cases.ref })
    .from(open311Requests)
    .innerJoin(cases, eq(cases.id, open311Requests.caseId))
    .innerJoin(caseEvents, eq(caseEvents.caseId, cases.id))
    .where(and(eq(open311Requests.keyId, key.id), inArray(cases.categoryId, scoped), inArray(caseEvents.action, STATUS_EVENTS), gte(caseEvents.at, query.from), lte(caseEvents.at, query.to)))
    .orderBy(caseEvents.at, caseEvents.id)
    .limit(query.pageSize)
    .offset((query.page - 1) * query.pageSize);
  return rows.map((r) => {
    const data = (r.data ?? {}) as Record<string, unknown>;
    const to = r.action === 'case.duplicate.marked' ? 'resolved' : String(data.to ?? 'open');
    const resolution = r.action === 'case.duplicate.marked' ? 'duplicate' : typeof data.resolutionCode === 'string' ? data.resolutionCode : null;
    return {
      update_id: r.id,
      service_request_id: r.ref,
      status: r.action === 'case.reopened' ? 'REOPEN' : extendedStatus(to, resolution),
      description: publicStatus(to),
      updated_datetime: formatDatetime(r.at),
      media_url: '',
      external_status_code: resolution ?? '',
    };
  });
}

/**
 * POST servicerequestupdates (the FixMyStreet extension): the reporter's further information on a request the key
 * posted, added to the case as the reporter's message (alerting its owner), as /track does. The status a client
 * sends is not applied: only the partnership's officers move a case.
 */
export async function postUpdate(params: Params, config: SiteConfig, key: Pick<ApiKey, 'id' | 'services'>, ctx: { ip?: string | null; publicUrl: string }, now = Date.now()): Promise<{ ok: true; updateId: string } | { ok: false; errors: Open311Error[] }> {
  const id = one(params, 'service_request_id');
  const description = text({ label: 'description', max: DESCRIPTION_MAX, multiline: true, plain: true, required: 'description is required: the information to add' }).safeParse(params.description);
  const errors: Open311Error[] = [];
  if (!id) errors.push(bad('service_request_id is required'));
  if (!description.success) errors.push(...description.error.issues.map((i) => bad(i.message)));
  if (errors.length || !description.success) return { ok: false, errors };
  const scoped = config.categories.filter((c) => keyCoversService(key, c.id)).map((c) => c.id);
  const [row] = id.length > 40 || !scoped.length ? [] : await getDb()
    .select({ id: cases.id })
    .from(open311Requests)
    .innerJoin(cases, eq(cases.id, open311Requests.caseId))
    .where(and(eq(open311Requests.keyId, key.id), eq(cases.ref, id.toUpperCase()), inArray(cases.categoryId, scoped)));
  if (!row) return { ok: false, errors: [{ code: 404, description: `service_request_id ${quoteValue(id)} was not found` }] };
  const updateId = await addReporterInformation(row.id, description.data, { ip: ctx.ip, publicUrl: ctx.publicUrl, partnership: config.partnership.name, targets: config.targets }, now);
  return { ok: true, updateId };
}
