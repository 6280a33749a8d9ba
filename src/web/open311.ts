/**
 * The Open311 GeoReport v2 endpoints under /open311/v2/ (one route file hands every call here): discovery,
 * services, services/{code}, requests (GET and POST), requests/{id}, tokens/{token} and the FixMyStreet
 * servicerequestupdates (GET and POST), each as .xml or .json, with the spec's error document and codes (400, 403, 404).
 * GETs are public; an api_key, when given, must be valid, and is needed to POST and to read updates.
 * Every call with a key counts against the key's own rate limit first and is audited after; a refused key is audited too.
 */
import type { APIContext } from 'astro';
import {
  authenticateKey, checkJurisdiction, errorDocument, findRequest, findToken, keyCoversService, listJurisdictions, listRequests, listServices, listUpdates,
  MIME, parsePostedRequest, postUpdate, quoteValue, parseRequestQuery, recordKeyCall, renderDocument, serviceDefinition, SERVICE_NOTICE, splitFormat, submitRequest, takeKeyCall,
  type ApiKey, type Document, type Format, type Open311Error, type Params,
} from '../domains/open311/index.ts';
import { recordAudit } from '../platform/audit.ts';
import { describeWait } from '../platform/security/rate-limit.ts';
import { getConfig, getRuntime } from '../server/runtime.ts';
import { clientAddressOf } from './client-address.ts';

/** The specification the discovery document names. */
const SPECIFICATION = 'http://wiki.open311.org/GeoReport_v2';

/** When the endpoint's behaviour last changed (discovery's changeset). */
const CHANGESET = '2026-11-30T00:00:00Z';

/** The endpoints, by route: the path segments with the format taken off the last one. */
type Route = 'discovery' | 'services' | 'service' | 'requests' | 'request' | 'token' | 'updates';

/** Which route a path names, with its id, or null for none of them. */
export function matchRoute(segments: string[]): { route: Route; id?: string } | null {
  const [first, second, extra] = segments;
  if (extra !== undefined || !first) return null;
  if (second === undefined) {
    const named: Record<string, Route> = { discovery: 'discovery', services: 'services', requests: 'requests', servicerequestupdates: 'updates' };
    return named[first] ? { route: named[first] } : null;
  }
  if (!second) return null;
  const nested: Record<string, Route> = { services: 'service', requests: 'request', tokens: 'token' };
  return nested[first] ? { route: nested[first], id: second } : null;
}

/** An answer: a status, a document and any extra headers. */
interface Answer {
  status: number;
  doc: Document;
  headers?: Record<string, string>;
  caseId?: string;
}

/** An error answer; the status is the first error's code. */
function fail(...errors: Open311Error[]): Answer {
  return { status: errors[0]!.code, doc: errorDocument(errors) };
}

/** The query string (and, for POST, the URL-encoded body) as parameters; repeated names become lists. */
async function readParams(ctx: APIContext): Promise<Params | null> {
  const params: Params = {};
  const add = (name: string, value: string) => {
    const had = params[name];
    params[name] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
  };
  for (const [name, value] of ctx.url.searchParams) add(name, value);
  if (ctx.request.method === 'POST') {
    const type = ctx.request.headers.get('x-open311-content-type') ?? ctx.request.headers.get('content-type') ?? '';
    const bytes = await ctx.request.arrayBuffer();
    // An empty body has no parameters whatever its type (they may all be in the query string).
    if (bytes.byteLength === 0) return params;
    if (!/^application\/x-www-form-urlencoded\b/i.test(type)) return null;
    try {
      const body = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      for (const [name, value] of new URLSearchParams(body)) add(name, value);
    } catch {
      return null;
    }
  }
  return params;
}

/** The first value of a parameter. */
function param(params: Params, name: string): string {
  const v = params[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

/** Answer one Open311 call. */
export async function handleOpen311(ctx: APIContext): Promise<Response> {
  const segments = String(ctx.params.path ?? '').split('/');
  const last = splitFormat(segments.at(-1) ?? '');
  const format: Format = last.format ?? 'xml';
  const matched = last.format ? matchRoute([...segments.slice(0, -1), last.name]) : null;
  if (!matched) return respond(fail({ code: 404, description: 'There is no such endpoint: see discovery.xml (every endpoint ends in .xml or .json)' }), format);
  const allowed = matched.route === 'requests' || matched.route === 'updates' ? ['GET', 'POST'] : ['GET'];
  if (!allowed.includes(ctx.request.method)) return respond({ ...fail({ code: 405, description: `${ctx.request.method} is not allowed here` }), headers: { Allow: allowed.join(', ') } }, format);
  const params = await readParams(ctx);
  if (!params) return respond(fail({ code: 400, description: 'The body must be application/x-www-form-urlencoded in UTF-8' }), format);
  const config = getConfig();
  const jurisdiction = checkJurisdiction(listJurisdictions(config), param(params, 'jurisdiction_id'));
  if (jurisdiction) return respond(fail({ code: jurisdiction.status, description: jurisdiction.description }), format);
  const apiKey = param(params, 'api_key');
  const needsKey = ctx.request.method === 'POST' || matched.route === 'updates';
  if (!apiKey) return respond(needsKey ? fail({ code: 403, description: 'api_key is required' }) : await answerCall(ctx, matched, params, null), format);
  const auth = await authenticateKey(apiKey);
  if (!auth.ok) {
    await recordAudit({ kind: 'system', id: null, ip: clientAddressOf(ctx) }, 'open311.key.refused', null, { reason: auth.reason, method: ctx.request.method, endpoint: matched.route });
    return respond(fail({ code: 403, description: auth.reason === 'revoked' ? 'This api_key has been revoked' : 'api_key is not valid' }), format);
  }
  const limit = await takeKeyCall(auth.key);
  const answer: Answer = limit.allowed
    ? await answerCall(ctx, matched, params, auth.key)
    : { ...fail({ code: 429, description: `Too many calls with this api_key: try again in ${describeWait(limit.retryAfterMs)}` }), headers: { 'Retry-After': String(Math.ceil(limit.retryAfterMs / 1000)) } };
  await recordKeyCall(auth.key, { method: ctx.request.method, endpoint: `${matched.route}${matched.id ? ` ${matched.id}` : ''}`, status: answer.status, ip: clientAddressOf(ctx), caseId: answer.caseId });
  return respond(answer, format);
}

/** The answer of a call that passed the key checks (key null for a public GET). */
async function answerCall(ctx: APIContext, matched: { route: Route; id?: string }, params: Params, key: ApiKey | null): Promise<Answer> {
  const config = getConfig();
  const reader = key?.canRead ? { key } : null;
  switch (matched.route) {
    case 'discovery':
      return { status: 200, doc: { root: 'discovery', body: discovery() } };
    case 'services':
      return { status: 200, doc: { root: 'services', item: 'service', body: listServices(config) } };
    case 'service': {
      const definition = serviceDefinition(config, matched.id!);
      return definition ? { status: 200, doc: { root: 'service_definition', body: definition } } : fail({ code: 404, description: `service_code ${quoteValue(matched.id)} was not found` });
    }
    case 'token': {
      const found = await findToken(matched.id!);
      return found ? { status: 200, doc: { root: 'service_requests', item: 'request', body: [found] } } : fail({ code: 404, description: 'token was not found' });
    }
    case 'request': {
      const found = await findRequest(matched.id!, config, reader);
      return found ? { status: 200, doc: { root: 'service_requests', item: 'request', body: [found] } } : fail({ code: 404, description: `service_request_id ${quoteValue(matched.id)} was not found` });
    }
    case 'requests':
      return ctx.request.method === 'POST' ? postRequest(ctx, params, key!) : getRequests(params, reader);
    case 'updates': {
      if (ctx.request.method === 'POST') return postRequestUpdate(ctx, params, key!);
      if (!key!.canRead) return fail({ code: 403, description: 'This api_key may not read' });
      const query = parseRequestQuery(params, Date.now(), 86_400_000);
      if (!query.ok) return fail(...query.errors);
      return { status: 200, doc: { root: 'service_request_updates', item: 'request_update', body: await listUpdates(query.query, config, key!) } };
    }
  }
}

/** GET requests: the public list (plus the key's own requests for a key with read access). */
async function getRequests(params: Params, reader: { key: ApiKey } | null): Promise<Answer> {
  const query = parseRequestQuery(params);
  if (!query.ok) return fail(...query.errors);
  const config = getConfig();
  // Every service is listed (services.json), so a code that is none of them is a mistake to name, not an empty list.
  const unknown = query.query.serviceCodes?.find((code) => !config.categories.some((c) => c.id === code));
  if (unknown !== undefined) return fail({ code: 404, description: `service_code ${quoteValue(unknown)} was not found` });
  return { status: 200, doc: { root: 'service_requests', item: 'request', body: await listRequests(query.query, config, reader) } };
}

/** POST requests: check the key's write access and service, then the request, then create the case. */
async function postRequest(ctx: APIContext, params: Params, key: ApiKey): Promise<Answer> {
  if (!key.canWrite) return fail({ code: 403, description: 'This api_key may not create requests' });
  const config = getConfig();
  const code = param(params, 'service_code').trim();
  if (code && config.categories.some((c) => c.id === code) && !keyCoversService(key, code)) return fail({ code: 403, description: `This api_key may not use service_code ${quoteValue(code)}` });
  const parsed = parsePostedRequest(params, config);
  if (!parsed.ok) return fail(...parsed.errors);
  const created = await submitRequest(parsed.request, key, { config, actor: { kind: 'system', id: null, ip: clientAddressOf(ctx) }, publicUrl: getRuntime().env.PUBLIC_URL });
  return { status: 200, caseId: created.caseId, doc: { root: 'service_requests', item: 'request', body: [{ token: created.token, service_notice: SERVICE_NOTICE, account_id: '' }] } };
}

/** POST servicerequestupdates: the reporter's further information on a request this key posted. */
async function postRequestUpdate(ctx: APIContext, params: Params, key: ApiKey): Promise<Answer> {
  if (!key.canWrite) return fail({ code: 403, description: 'This api_key may not send updates' });
  const posted = await postUpdate(params, getConfig(), key, { ip: clientAddressOf(ctx), publicUrl: getRuntime().env.PUBLIC_URL });
  if (!posted.ok) return fail(...posted.errors);
  return { status: 200, doc: { root: 'service_request_updates', item: 'request_update', body: [{ update_id: posted.updateId }] } };
}

/** The discovery document: where the endpoint is, in which formats, and whom to ask for a key. */
function discovery() {
  const config = getConfig();
  const base = getRuntime().env.PUBLIC_URL.replace(/\/$/, '');
  return {
    changeset: CHANGESET,
    contact: `${config.partnership.name}: ${config.partnership.email}, ${config.partnership.phones.hotline.number}`,
    key_service: `Ask ${config.partnership.email} for an API key`,
    endpoints: [{ specification: SPECIFICATION, url: `${base}/open311/v2`, changeset: CHANGESET, type: 'production', formats: [MIME.xml.split(';')[0]!, MIME.json.split(';')[0]!] }],
  };
}

/** The HTTP response for an answer, in the format asked for. */
function respond(answer: Answer, format: Format): Response {
  return new Response(renderDocument(answer.doc, format), { status: answer.status, headers: { 'Content-Type': MIME[format], 'Cache-Control': 'no-store', ...answer.headers } });
}
