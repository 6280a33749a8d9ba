/**
 * Open311 GeoReport v2 over HTTP against the built server: every endpoint in .xml and .json (the XML read with a
 * standard XML parser, the JSON compared with it field for field), the spec's errors and codes, private-by-default
 * reading, keys issued and revoked on the admin pages, the danger check, and each key's rate limit under concurrency.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { startServer, type TestServer } from '../helpers/server.ts';
import { Visitor } from '../helpers/http.ts';
import { htmlProblems } from '../helpers/html.ts';
import { createWebReport } from '../helpers/staff.ts';
import { signInAs } from './staff-sign-in.ts';

let server: TestServer;
let admin: Visitor;
let triage: Visitor;
/** Keys issued on the admin pages: write and read for every service; write for noise only; read only; revoked; 5 calls a minute. */
const keys = { full: '', noiseOnly: '', readOnly: '', revoked: '', limited: '' };

const SENSITIVE = ['drug-dealing', 'hate-incident', 'domestic-concern', 'exploitation'];

/** Issue a key on the admin page; returns the key shown once. */
async function issueKey(form: Record<string, string | string[]>): Promise<string> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const one of [v].flat()) body.append(k, one);
  const res = await admin.post('/staff/admin/api-keys/new', body);
  const html = await res.text();
  assert.equal(res.status, 200, html.slice(0, 500));
  const key = /data-api-key>([^<]+)</.exec(html)?.[1];
  assert.ok(key, 'the issued key is shown');
  return key;
}

before(async () => {
  server = await startServer();
  admin = await signInAs(server.url, 'admin@hollowmere.example');
  triage = await signInAs(server.url, 'triage@hollowmere.example');
  keys.full = await issueKey({ name: 'Council CRM', access: ['write', 'read'], scope: 'all', perMinute: '1000' });
  keys.noiseOnly = await issueKey({ name: 'Noise app', access: 'write', scope: 'chosen', services: 'noise', perMinute: '1000' });
  keys.readOnly = await issueKey({ name: 'Dashboard', access: 'read', scope: 'all', perMinute: '1000' });
  keys.revoked = await issueKey({ name: 'Old system', access: ['write', 'read'], scope: 'all', perMinute: '1000' });
  keys.limited = await issueKey({ name: 'Busy client', access: 'read', scope: 'all', perMinute: '5' });
  const revoked = await admin.post(`/staff/admin/api-keys/${keys.revoked.split('.')[0]}`, { confirm: 'yes' });
  assert.equal(revoked.status, 303);
});
after(() => server?.stop());

const LISTS = new Set(['service', 'request', 'error', 'attribute', 'value', 'endpoint', 'format', 'request_update']);
const parser = new XMLParser({ parseTagValue: false, ignoreDeclaration: false, ignoreAttributes: false, isArray: (name) => LISTS.has(name) });

/** Parse an XML answer with a standard parser, after checking it is well-formed and declares UTF-8. */
function parseXml(text: string): Record<string, unknown> {
  assert.equal(XMLValidator.validate(text), true, 'well-formed XML');
  assert.match(text, /^<\?xml version="1.0" encoding="UTF-8"\?>/);
  const { '?xml': _, ...doc } = parser.parse(text) as Record<string, unknown>;
  return doc;
}

/** Assert the JSON is the XML's data field for field: same names in the same order, same text, lists item for item. */
function assertSameData(xml: unknown, json: unknown, path = '$'): void {
  if (Array.isArray(json)) {
    if (json.length === 0) return assert.equal(xml, '', `${path}: an empty list is an empty element`);
    const inner = Object.values(xml as Record<string, unknown>);
    assert.equal(inner.length, 1, `${path}: one kind of item element`);
    const items = inner[0] as unknown[];
    assert.equal(items.length, json.length, `${path}: as many items`);
    json.forEach((v, i) => assertSameData(items[i], v, `${path}[${i}]`));
  } else if (json !== null && typeof json === 'object') {
    assert.deepEqual(Object.keys(xml as object), Object.keys(json), `${path}: the same fields in the same order`);
    for (const [k, v] of Object.entries(json)) assertSameData((xml as Record<string, unknown>)[k], v, `${path}.${k}`);
  } else {
    assert.equal(xml, json === null ? '' : String(json), `${path}: the same value`);
  }
}

/** Call an endpoint in both formats (same method and parameters); returns both, checked to carry the same data. */
async function both(path: string, init: { method?: string; params?: Record<string, string> } = {}): Promise<{ status: number; xml: Record<string, unknown>; json: unknown; xmlText: string; jsonText: string }> {
  const call = async (format: string) => {
    const query = new URLSearchParams(init.method === 'POST' ? {} : init.params ?? {});
    const url = `${server.url}/open311/v2/${path}.${format}${query.size ? `?${query}` : ''}`;
    const res = await fetch(url, init.method === 'POST' ? { method: 'POST', body: new URLSearchParams(init.params ?? {}) } : {});
    return { res, text: await res.text() };
  };
  const x = await call('xml');
  const j = await call('json');
  assert.equal(x.res.status, j.res.status, `${path}: the same status in both formats`);
  assert.match(x.res.headers.get('content-type') ?? '', /^text\/xml; charset=utf-8/);
  assert.match(j.res.headers.get('content-type') ?? '', /^application\/json; charset=utf-8/);
  const xml = parseXml(x.text);
  const json = JSON.parse(j.text) as unknown;
  const [root] = Object.keys(xml);
  assertSameData(xml[root!], json);
  return { status: x.res.status, xml, json, xmlText: x.text, jsonText: j.text };
}

/** The spec's error document in both formats: the HTTP status, and each error's code and description. */
async function expectError(path: string, status: number, description: RegExp, init: { method?: string; params?: Record<string, string> } = {}): Promise<void> {
  const r = await both(path, init);
  assert.equal(r.status, status, `${path}: ${r.jsonText}`);
  assert.deepEqual(Object.keys(r.xml), ['errors']);
  const errors = r.json as { code: number; description: string }[];
  assert.ok(Array.isArray(errors) && errors.length >= 1);
  assert.equal(errors[0]!.code, status);
  assert.match(errors.map((e) => e.description).join(' | '), description);
}

/** Parameters of a good POST for a service. */
function request(service: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    api_key: keys.full, service_code: service, address_string: 'HW3 1AB', description: 'Graffiti sprayed across the bus shelter on Mill Lane overnight.',
    'attribute[danger_now]': 'no', first_name: 'Avery', last_name: 'Quillfeather', email: 'avery.quillfeather@example.com', ...extra,
  };
}

/** The parameters without one of them. */
function without(params: Record<string, string>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(params).filter(([k]) => k !== name));
}

/** POST a request as JSON; returns the status and parsed body. */
async function post(params: Record<string, string>, format = 'json'): Promise<{ status: number; body: string }> {
  const res = await fetch(`${server.url}/open311/v2/requests.${format}`, { method: 'POST', body: new URLSearchParams(params) });
  return { status: res.status, body: await res.text() };
}

/** POST a good request and resolve its token to the service request id (the case reference). */
async function submit(service: string, extra: Record<string, string> = {}): Promise<string> {
  const res = await post(request(service, extra));
  assert.equal(res.status, 200, res.body);
  const [created] = JSON.parse(res.body) as { token: string; service_notice: string }[];
  assert.ok(created?.token);
  assert.equal('service_request_id' in created, false, 'a token or an id, never both');
  const found = await both(`tokens/${created.token}`);
  assert.equal(found.status, 200);
  const [row] = found.json as { service_request_id: string; token: string }[];
  assert.equal(row!.token, created.token);
  assert.match(row!.service_request_id, /^HM-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  return row!.service_request_id;
}

test('discovery names the endpoint, the specification and both formats', async () => {
  const r = await both('discovery');
  assert.equal(r.status, 200);
  const d = r.json as { contact: string; key_service: string; endpoints: { specification: string; url: string; type: string; formats: string[] }[] };
  assert.equal(d.endpoints[0]!.specification, 'http://wiki.open311.org/GeoReport_v2');
  assert.match(d.endpoints[0]!.url, /\/open311\/v2$/);
  assert.deepEqual(d.endpoints[0]!.formats, ['text/xml', 'application/json']);
  assert.match(d.key_service, /key/);
});

test('services lists every category; sensitive ones are marked private, public ones public', async () => {
  const r = await both('services');
  assert.equal(r.status, 200);
  const services = r.json as { service_code: string; keywords: string; metadata: boolean; type: string }[];
  assert.equal(services.length, 13);
  for (const s of services) {
    assert.equal(s.metadata, true);
    if (SENSITIVE.includes(s.service_code)) assert.match(s.keywords, /^private,sensitive/);
  }
  assert.match(services.find((s) => s.service_code === 'vandalism')!.keywords, /^public/);
  assert.match(services.find((s) => s.service_code === 'noise')!.keywords, /^private/);
});

test('services/{code} asks danger, hate motivation and vulnerability as singlevaluelist attributes; an unknown service is 404', async () => {
  const r = await both('services/noise');
  assert.equal(r.status, 200);
  const def = r.json as { service_code: string; attributes: { code: string; datatype: string; required: boolean; order: number; values: { key: string }[] }[] };
  assert.equal(def.service_code, 'noise');
  const byCode = new Map(def.attributes.map((a) => [a.code, a]));
  for (const code of ['danger_now', 'hate_motivation', 'vulnerability']) assert.equal(byCode.get(code)?.datatype, 'singlevaluelist', code);
  assert.equal(byCode.get('danger_now')!.required, true);
  assert.deepEqual(byCode.get('danger_now')!.values.map((v) => v.key), ['yes', 'no']);
  assert.deepEqual(byCode.get('hate_motivation')!.values.map((v) => v.key), ['yes', 'no', 'not_sure']);
  assert.deepEqual(def.attributes.map((a) => a.order), [1, 2, 3, 4, 5]);
  await expectError('services/no-such-service', 404, /service_code 'no-such-service' was not found/);
});

test('jurisdiction_id: ours is accepted, any other is 404 on every endpoint', async () => {
  assert.equal((await both('services', { params: { jurisdiction_id: 'hollowmere.example' } })).status, 200);
  for (const path of ['discovery', 'services', 'services/noise', 'requests', 'requests/HM-0000-0000', 'tokens/abc']) {
    await expectError(path, 404, /jurisdiction_id 'elsewhere.example' was not found/, { params: { jurisdiction_id: 'elsewhere.example' } });
  }
  await expectError('requests', 404, /jurisdiction_id/, { method: 'POST', params: request('noise', { jurisdiction_id: 'elsewhere.example' }) });
});

test('POST requests needs a valid key with write access for the service: missing, wrong, revoked, read-only and out-of-scope keys are 403', async () => {
  const noKey = without(request('noise'), 'api_key');
  await expectError('requests', 403, /api_key is required/, { method: 'POST', params: noKey });
  await expectError('requests', 403, /api_key is not valid/, { method: 'POST', params: request('noise', { api_key: `${keys.full.split('.')[0]}.wrongsecret` }) });
  await expectError('requests', 403, /revoked/, { method: 'POST', params: request('noise', { api_key: keys.revoked }) });
  await expectError('requests', 403, /may not create/, { method: 'POST', params: request('noise', { api_key: keys.readOnly }) });
  await expectError('requests', 403, /may not use service_code 'vandalism'/, { method: 'POST', params: request('vandalism', { api_key: keys.noiseOnly }) });
  // A revoked key is refused on GETs too, not treated as no key.
  await expectError('requests', 403, /revoked/, { params: { api_key: keys.revoked } });
  // A refused key is audited too.
  const audit = await (await admin.get('/staff/admin/audit')).text();
  assert.match(audit, /<td>API call refused \(wrong or revoked key\)<\/td><td>System<\/td><td><\/td><td>[^<]+<\/td><td>reason: revoked; method: GET; endpoint: requests<\/td>/);
});

test('POST requests refuses an unknown service (404), a missing required attribute, a missing location or description (400)', async () => {
  await expectError('requests', 404, /service_code 'potholes' was not found/, { method: 'POST', params: request('potholes') });
  const noDanger = without(request('noise'), 'attribute[danger_now]');
  await expectError('requests', 400, /attribute\[danger_now\] is required/, { method: 'POST', params: noDanger });
  await expectError('requests', 400, /attribute\[hate_motivation\] must be one of: yes, no, not_sure/, { method: 'POST', params: request('noise', { 'attribute[hate_motivation]': 'maybe' }) });
  const nowhere = without(request('noise'), 'address_string');
  await expectError('requests', 400, /A location is required/, { method: 'POST', params: nowhere });
  await expectError('requests', 400, /description is required/, { method: 'POST', params: request('noise', { description: '' }) });
  await expectError('requests', 400, /not in the area/, { method: 'POST', params: request('noise', { address_string: 'SW1A 1AA' }) });
  // A point outside the partnership's map, as the web journey's pin (its bounds in content/config).
  const outside = without(request('noise', { lat: '52.5', long: '-1.9' }), 'address_string');
  await expectError('requests', 400, /lat and long 52.5, -1.9 are not in the area Hollowmere/, { method: 'POST', params: outside });
  // Several errors at once, each in the error list.
  const r = await both('requests', { method: 'POST', params: { ...nowhere, description: '', 'attribute[danger_now]': '' } });
  assert.equal(r.status, 400);
  assert.ok((r.json as unknown[]).length >= 3);
});

test('the danger check: a request saying someone is in danger now is refused with 999 advice and makes no case', async () => {
  const before = (JSON.parse(await (await fetch(`${server.url}/open311/v2/requests.json?api_key=${keys.full}`)).text()) as unknown[]).length;
  await expectError('requests', 400, /in danger right now: tell them to call 999/, { method: 'POST', params: request('noise', { 'attribute[danger_now]': 'yes' }) });
  const afterList = JSON.parse(await (await fetch(`${server.url}/open311/v2/requests.json?api_key=${keys.full}`)).text()) as unknown[];
  assert.equal(afterList.length, before);
});

test('a POSTed request becomes a case in the same queue, channel api, with the answers pre-filling triage and raising the priority', async () => {
  const ref = await submit('noise', { 'attribute[hate_motivation]': 'yes', 'attribute[vulnerability]': 'no', description: 'Music played loudly every night until 3am, with shouting at neighbours.' });
  const page = await triage.get(`/staff/cases/${ref}`);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /by api/);
  assert.match(html, /Music played loudly every night until 3am/);
  assert.match(html, /Priority <strong>P2<\/strong>/, 'hate motivation raises noise (P4) to P2');
  assert.match(html, /<input[^>]*name="hate"[^>]*value="yes"[^>]*checked/, 'the hate answer pre-fills triage');
  const queue = await (await triage.get(`/staff/queue?q=${ref}`)).text();
  assert.match(queue, new RegExp(ref));
  // lat and long are stored in full (location source 'api'): the case page lists what is near them.
  const placed = await submit('noise', { lat: '52.961234', long: '-1.512345', description: 'Engines revving in the car park every night after midnight.' });
  assert.match(await (await triage.get(`/staff/cases/${placed}`)).text(), /Within 300 m of 52\.961234, -1\.512345 in the last 6 months/);
  // The XML answer of a POST carries the same fields.
  const xml = await post(request('noise'), 'xml');
  assert.equal(xml.status, 200);
  const doc = parseXml(xml.body) as { service_requests: { request: { token: string; service_notice: string }[] } };
  assert.ok(doc.service_requests.request[0]!.token);
  assert.match(doc.service_requests.request[0]!.service_notice, /private/);
});

test('tokens/{token}: an unknown token is 404', async () => {
  await expectError('tokens/no-such-token', 404, /token was not found/);
});

test('private by default: the public GET requests lists public categories only, never sensitive ones, descriptions or names, and the place only to the ward', async () => {
  const publicRef = await submit('vandalism', { description: 'Tagging on the war memorial railings, VERY-SECRET-DETAIL.' });
  const hateRef = await submit('hate-incident', { description: 'Abuse shouted at my neighbour, HATE-SECRET-DETAIL.' });
  const noiseRef = await submit('noise');
  const webRef = await createWebReport(server.url, { email: 'web.reporter@example.com', category: 'drug-dealing', description: 'Dealing from a parked car every evening.' });
  const r = await both('requests');
  assert.equal(r.status, 200);
  const rows = r.json as Record<string, string>[];
  const refs = rows.map((x) => x.service_request_id);
  assert.ok(refs.includes(publicRef), 'a public category is listed');
  for (const hidden of [hateRef, noiseRef, webRef]) assert.ok(!refs.includes(hidden), `${hidden} is not listed`);
  for (const row of rows) {
    assert.ok(!SENSITIVE.includes(row.service_code!), 'never a sensitive category');
    assert.deepEqual(Object.keys(row), ['service_request_id', 'status', 'status_notes', 'service_name', 'service_code', 'agency_responsible', 'service_notice', 'requested_datetime', 'updated_datetime', 'address']);
  }
  const mine = rows.find((x) => x.service_request_id === publicRef)!;
  assert.equal(mine.address, 'Thornwick Town, Thornwick', 'the ward (and its district), nothing finer');
  assert.equal(mine.status, 'open');
  assert.match(mine.requested_datetime!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  for (const text of [r.xmlText, r.jsonText]) {
    for (const secret of ['VERY-SECRET-DETAIL', 'HATE-SECRET-DETAIL', 'Quillfeather', 'Avery', 'avery.quillfeather', 'HW3 1AB', 'Mill Lane', 'Dealing from']) assert.ok(!text.includes(secret), `${secret} never appears`);
  }
  // One sensitive request is not found publicly, whatever the filters.
  await expectError(`requests/${hateRef}`, 404, /was not found/);
  assert.equal(((await both('requests', { params: { service_code: 'hate-incident' } })).json as unknown[]).length, 0);
  assert.equal(((await both('requests', { params: { service_request_id: `${hateRef},${webRef}` } })).json as unknown[]).length, 0);
  const one = await both(`requests/${publicRef}`);
  assert.equal((one.json as { service_request_id: string }[])[0]!.service_request_id, publicRef);
  // The key that posted it reads its own sensitive request, in the same coarse form; another key does not.
  const own = await both(`requests/${hateRef}`, { params: { api_key: keys.full } });
  assert.equal(own.status, 200);
  assert.ok(!own.jsonText.includes('HATE-SECRET-DETAIL') && !own.jsonText.includes('Avery'));
  await expectError(`requests/${hateRef}`, 404, /was not found/, { params: { api_key: keys.readOnly } });
});

test('GET requests filters: service_request_id, service_code, status, dates (90 days at most, with a timezone) and page/page_size', async () => {
  const a = await submit('vandalism');
  const b = await submit('fly-tipping', { description: 'Mattresses and bags dumped on the verge by the allotments.' });
  const ids = (await both('requests', { params: { service_request_id: `${a},${b}` } })).json as { service_request_id: string }[];
  assert.deepEqual(ids.map((x) => x.service_request_id).sort(), [a, b].sort());
  const fly = (await both('requests', { params: { service_code: 'fly-tipping' } })).json as { service_code: string }[];
  assert.ok(fly.length >= 1 && fly.every((x) => x.service_code === 'fly-tipping'));
  assert.equal(((await both('requests', { params: { status: 'closed' } })).json as unknown[]).length, 0);
  const first = (await both('requests', { params: { page_size: '1', page: '1' } })).json as { service_request_id: string }[];
  const second = (await both('requests', { params: { page_size: '1', page: '2' } })).json as { service_request_id: string }[];
  assert.equal(first.length, 1);
  assert.equal(second.length, 1);
  assert.notEqual(first[0]!.service_request_id, second[0]!.service_request_id);
  assert.equal(first[0]!.service_request_id, b, 'newest first');
  const now = new Date();
  const past = new Date(now.getTime() - 200 * 86_400_000);
  assert.equal(((await both('requests', { params: { start_date: new Date(now.getTime() - 60_000).toISOString(), end_date: new Date(now.getTime() + 60_000).toISOString() } })).json as unknown[]).length >= 2, true);
  assert.equal(((await both('requests', { params: { end_date: past.toISOString() } })).json as unknown[]).length, 0);
  await expectError('requests', 400, /at most 90 days apart/, { params: { start_date: past.toISOString(), end_date: now.toISOString() } });
  await expectError('requests', 400, /start_date must be a date and time with a timezone/, { params: { start_date: '2026-01-01' } });
  await expectError('requests', 400, /page_size must be a whole number from 1 to 1000/, { params: { page_size: '0' } });
  await expectError('requests', 400, /status must be open, closed/, { params: { status: 'pending' } });
  // A code no service has is named back, not answered with an empty list; an impossible date is refused.
  await expectError('requests', 404, /service_code 'nope' was not found/, { params: { service_code: 'vandalism,nope' } });
  await expectError('requests', 400, /start_date must be a date and time/, { params: { start_date: '2026-02-30T00:00:00Z' } });
  // end_date to the second includes a request received within that second (shown to the second, stored to the millisecond).
  const [shown] = (await both('requests', { params: { service_request_id: a } })).json as { requested_datetime: string }[];
  const at = Date.parse(shown!.requested_datetime);
  const upTo = (await both('requests', { params: { start_date: new Date(at - 60_000).toISOString(), end_date: shown!.requested_datetime } })).json as { service_request_id: string }[];
  assert.ok(upTo.some((x) => x.service_request_id === a), 'end_date equal to requested_datetime includes the request');
  // A start in the future, no end: nothing yet, not an error about an end_date never sent.
  const later = await both('requests', { params: { start_date: new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z') } });
  assert.equal(later.status, 200);
  assert.deepEqual(later.json, []);
});

test('POST requests with a body of another type gets the error document (400), in the format asked for; an empty body reads the query string', async () => {
  for (const format of ['json', 'xml']) {
    for (const [type, body] of [['application/json', JSON.stringify(request('noise'))], ['text/plain', 'service_code=noise']]) {
      const res = await fetch(`${server.url}/open311/v2/requests.${format}`, { method: 'POST', headers: { 'content-type': type! }, body });
      const text = await res.text();
      assert.equal(res.status, 400, `${type} as ${format}: ${text}`);
      if (format === 'json') assert.deepEqual(JSON.parse(text), [{ code: 400, description: 'The body must be application/x-www-form-urlencoded in UTF-8' }]);
      else assert.deepEqual(Object.keys(parseXml(text)), ['errors']);
    }
  }
  const empty = await fetch(`${server.url}/open311/v2/requests.json?${new URLSearchParams(request('noise'))}`, { method: 'POST', headers: { 'content-length': '0' } });
  assert.equal(empty.status, 200, await empty.clone().text());
  const [created] = (await empty.json()) as { token: string }[];
  assert.ok(created?.token, 'the request was made from the query string');
});

test('statuses: a resolved case is closed in requests, and servicerequestupdates gives the FixMyStreet extended status to the key that posted it', async () => {
  const ref = await submit('vandalism');
  const moved = await triage.post(`/staff/cases/${ref}`, { intent: 'status', to: 'resolved', resolutionCode: 'action_taken', agencyId: '', statusNote: '' });
  assert.equal(moved.status, 303);
  const one = (await both(`requests/${ref}`)).json as { status: string; status_notes: string }[];
  assert.equal(one[0]!.status, 'closed');
  assert.equal(one[0]!.status_notes, 'Resolved');
  const updates = await both('servicerequestupdates', { params: { api_key: keys.full } });
  assert.equal(updates.status, 200);
  const list = updates.json as { update_id: string; service_request_id: string; status: string; description: string; updated_datetime: string; external_status_code: string }[];
  const mine = list.filter((u) => u.service_request_id === ref);
  assert.equal(mine.length, 1);
  assert.equal(mine[0]!.status, 'FIXED');
  assert.equal(mine[0]!.external_status_code, 'action_taken');
  assert.equal(mine[0]!.description, 'Resolved');
  assert.ok(mine[0]!.update_id);
  // Reopened within the window: REOPEN.
  assert.equal((await triage.post(`/staff/cases/${ref}`, { intent: 'status', to: 'open', resolutionCode: '', agencyId: '', statusNote: '' })).status, 303);
  const again = (await both('servicerequestupdates', { params: { api_key: keys.full } })).json as { service_request_id: string; status: string }[];
  assert.deepEqual(again.filter((u) => u.service_request_id === ref).map((u) => u.status), ['FIXED', 'REOPEN']);
  // Another key sees none of them; no key, or a key that may not read, is 403.
  assert.equal(((await both('servicerequestupdates', { params: { api_key: keys.readOnly } })).json as unknown[]).length, 0);
  await expectError('servicerequestupdates', 403, /api_key is required/);
  await expectError('servicerequestupdates', 403, /may not read/, { params: { api_key: keys.noiseOnly } });
});

test('POST servicerequestupdates adds the reporter\'s information to a request the key posted, as /track does; others get 404', async () => {
  const ref = await submit('noise');
  const params = { api_key: keys.full, service_request_id: ref, update_id: 'fms-1', status: 'CLOSED', description: 'It happened again last night, louder.' };
  for (const format of ['json', 'xml']) {
    const res = await fetch(`${server.url}/open311/v2/servicerequestupdates.${format}`, { method: 'POST', body: new URLSearchParams(params) });
    assert.equal(res.status, 200);
    const text = await res.text();
    const id = format === 'json' ? (JSON.parse(text) as { update_id: string }[])[0]!.update_id : (parseXml(text) as { service_request_updates: { request_update: { update_id: string }[] } }).service_request_updates.request_update[0]!.update_id;
    assert.match(id, /^[0-9a-z]{20}$/);
  }
  const html = await (await triage.get(`/staff/cases/${ref}`)).text();
  assert.equal((html.match(/It happened again last night, louder\./g) ?? []).length, 2, 'once per format, in the timeline');
  assert.doesNotMatch(html, /<strong class="tag[^>]*>Closed</, 'a client cannot close the case');
  await expectError('servicerequestupdates', 404, /was not found/, { method: 'POST', params: { api_key: keys.noiseOnly, service_request_id: ref, description: 'Not my request.' } });
  await expectError('servicerequestupdates', 400, /description is required/, { method: 'POST', params: { api_key: keys.full, service_request_id: ref } });
  await expectError('servicerequestupdates', 403, /may not send updates/, { method: 'POST', params: { api_key: keys.readOnly, service_request_id: ref, description: 'Read only.' } });
});

test('errors: an unknown endpoint or format is 404, a wrong method 405, all in the error format', async () => {
  await expectError('nothing-here', 404, /no such endpoint/);
  const res = await fetch(`${server.url}/open311/v2/services.html`);
  assert.equal(res.status, 404);
  parseXml(await res.text());
  const wrong = await fetch(`${server.url}/open311/v2/services.json`, { method: 'POST', body: new URLSearchParams({ api_key: keys.full }) });
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get('allow'), 'GET');
});

test('each key is rate-limited: of 12 parallel calls over a limit of 5 a minute, exactly 5 succeed', async () => {
  const answers = await Promise.all(Array.from({ length: 12 }, () => fetch(`${server.url}/open311/v2/services.json?api_key=${encodeURIComponent(keys.limited)}`)));
  const statuses = answers.map((r) => r.status).sort();
  assert.deepEqual(statuses, [...Array(5).fill(200), ...Array(7).fill(429)]);
  const refused = answers.find((r) => r.status === 429)!;
  assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  const [error] = (await refused.json()) as { code: number; description: string }[];
  assert.equal(error!.code, 429);
  // Other keys and public calls are not held by it.
  assert.equal((await fetch(`${server.url}/open311/v2/services.json?api_key=${encodeURIComponent(keys.readOnly)}`)).status, 200);
  assert.equal((await fetch(`${server.url}/open311/v2/services.json`)).status, 200);
});

test('every call with a key is audited, and the key pages show when it was last used', async () => {
  const audit = await (await admin.get('/staff/admin/audit')).text();
  assert.match(audit, /<td>API call<\/td><td>System<\/td><td>API key [0-9a-z]+<\/td><td>[^<]+<\/td><td>method: GET; endpoint: services; status: (200|429)<\/td>/);
  const list = await admin.get('/staff/admin/api-keys');
  const html = await list.text();
  assert.equal(list.status, 200);
  for (const name of ['Council CRM', 'Noise app', 'Dashboard', 'Old system', 'Busy client']) assert.match(html, new RegExp(name));
  assert.match(html, /Revoked/);
  const busy = /Busy client<\/a><\/th>.*?<\/tr>/.exec(html)?.[0] ?? '';
  assert.match(busy, /<td>\d{1,2} \w{3} \d{4}, \d{2}:\d{2}<\/td><\/tr>$/, 'last used: a date and time');
  assert.deepEqual(await htmlProblems(html, 'api-keys'), []);
});

test('the issue form sent twice (a refresh, a second press) issues one key: the second answer says so (409), without the secret', async () => {
  const form = await (await admin.get('/staff/admin/api-keys/new')).text();
  const keyId = /name="keyId" value="([^"]+)"/.exec(form)?.[1];
  assert.ok(keyId, 'the form carries the id its key will have');
  const fields = new URLSearchParams([['keyId', keyId], ['name', 'Sent twice'], ['access', 'read'], ['scope', 'all'], ['perMinute', '10']]);
  const [first, second] = await Promise.all([admin.post('/staff/admin/api-keys/new', fields), admin.post('/staff/admin/api-keys/new', fields)]);
  const answers = [{ status: first.status, html: await first.text() }, { status: second.status, html: await second.text() }].sort((a, b) => a.status - b.status);
  assert.deepEqual(answers.map((a) => a.status), [200, 409]);
  assert.match(answers[0]!.html, new RegExp(`data-api-key>${keyId}\\.`));
  const again = answers[1]!.html;
  assert.match(again, /This key has already been issued/);
  assert.match(again, new RegExp(`href="/staff/admin/api-keys/${keyId}"`));
  assert.doesNotMatch(again, /data-api-key/, 'the secret is never shown a second time');
  assert.deepEqual(await htmlProblems(again, 'api-key-issued-before'), []);
  const list = await (await admin.get('/staff/admin/api-keys')).text();
  assert.equal(list.split('>Sent twice</a>').length - 1, 1, 'one key in the list');
  // A later refresh of the same form still issues nothing; a fresh form issues a new key.
  assert.equal((await admin.post('/staff/admin/api-keys/new', fields)).status, 409);
  const fresh = /name="keyId" value="([^"]+)"/.exec(await (await admin.get('/staff/admin/api-keys/new')).text())?.[1];
  assert.ok(fresh && fresh !== keyId);
});

test('the key pages: issuing refuses a form with errors (400, error summary), a key page can be revoked once; all HTML-valid', async () => {
  const refused = await admin.post('/staff/admin/api-keys/new', { name: '', scope: 'chosen', perMinute: 'lots' });
  assert.equal(refused.status, 400);
  const html = await refused.text();
  assert.match(html, /<title>Error: Issue an API key/);
  for (const message of ['Enter a name for the key', 'Select what the key may do', 'Select at least one service', 'Calls a minute must be a whole number from 1 to 6,000']) assert.match(html, new RegExp(message));
  assert.deepEqual(await htmlProblems(html, 'api-key-new-errors'), []);
  const form = await (await admin.get('/staff/admin/api-keys/new')).text();
  assert.deepEqual(await htmlProblems(form, 'api-key-new'), []);
  const issued = await admin.post('/staff/admin/api-keys/new', new URLSearchParams([['name', 'Temporary'], ['access', 'read'], ['scope', 'all'], ['perMinute', '10']]));
  const issuedHtml = await issued.text();
  assert.match(issuedHtml, /will not be shown again/);
  assert.deepEqual(await htmlProblems(issuedHtml, 'api-key-issued'), []);
  const id = /data-api-key>([^.<]+)\./.exec(issuedHtml)![1]!;
  const page = await (await admin.get(`/staff/admin/api-keys/${id}`)).text();
  assert.match(page, /Revoke this key/);
  assert.deepEqual(await htmlProblems(page, 'api-key'), []);
  // Revoking asks first: the key works until the administrator confirms.
  const asked = await admin.post(`/staff/admin/api-keys/${id}`, {});
  assert.equal(asked.status, 200);
  const askedHtml = await asked.text();
  assert.match(askedHtml, /Revoke the key “Temporary”\?/);
  assert.deepEqual(await htmlProblems(askedHtml, 'api-key: confirm revoking'), []);
  assert.match(await (await admin.get(`/staff/admin/api-keys/${id}`)).text(), /<dt class="summary-list__key">Status<\/dt>\s*<dd class="summary-list__value">Active<\/dd>/, 'still active before confirming');
  assert.equal((await admin.post(`/staff/admin/api-keys/${id}`, { confirm: 'yes' })).status, 303);
  const twice = await admin.post(`/staff/admin/api-keys/${id}`, { confirm: 'yes' });
  assert.equal(twice.status, 400);
  assert.deepEqual(await htmlProblems(await twice.text(), 'api-key-revoked-twice'), []);
  const audit = await (await admin.get('/staff/admin/audit')).text();
  assert.match(audit, new RegExp(`API key revoked</td><td>[^<]+</td><td>API key ${id}<`));
  assert.match(audit, new RegExp(`API key issued</td><td>[^<]+</td><td>API key ${id}<`));
  // Nobody but an administrator gets the pages.
  assert.equal((await triage.get('/staff/admin/api-keys')).status, 403);
});
