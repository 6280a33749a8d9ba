/**
 * The Open311 parts without HTTP: jurisdictions, the status mappings, the query and request checks, the XML of a
 * document read back with a standard parser, and API keys on a real database file (hashed, revoked, rate-limited).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { crossCheck, loadSiteConfig } from '../../src/platform/config/partnership.ts';
import { getDb } from '../../src/platform/db/client.ts';
import { apiKeys } from '../../src/platform/db/schema.ts';
import {
  authenticateKey, checkJurisdiction, coreStatus, extendedStatus, issueKey, keyCoversService, listJurisdictions, parsePostedRequest, parseRequestQuery,
  renderXml, revokeKey, splitFormat, takeKeyCall,
} from '../../src/domains/open311/index.ts';
import { openTestDatabase } from '../helpers/db.ts';

const config = loadSiteConfig('content');
let cleanup: () => Promise<void>;
before(async () => {
  ({ cleanup } = await openTestDatabase());
});
after(() => cleanup());

test('jurisdiction_id: optional with one jurisdiction, required with several, and 404 when not ours', () => {
  assert.deepEqual(listJurisdictions(config), ['hollowmere.example']);
  assert.equal(checkJurisdiction(['hollowmere.example'], ''), null);
  assert.equal(checkJurisdiction(['hollowmere.example'], 'Hollowmere.Example'), null);
  assert.equal(checkJurisdiction(['hollowmere.example'], 'other.example')?.status, 404);
  assert.equal(checkJurisdiction(['a.example', 'b.example'], '')?.status, 400);
  assert.equal(checkJurisdiction(['a.example', 'b.example'], 'b.example'), null);
  const shared = loadSiteConfig('content');
  shared.partnership.open311 = { jurisdictions: ['a.example', 'b.example'] };
  assert.deepEqual(listJurisdictions(shared), ['a.example', 'b.example']);
});

test('a sensitive category can never be made public: the configuration is refused', () => {
  const bad = loadSiteConfig('content');
  bad.categories.find((c) => c.id === 'hate-incident')!.public = true;
  assert.throws(() => crossCheck(bad), /'hate-incident' is sensitive, so it cannot be public/);
  assert.deepEqual(config.categories.filter((c) => c.public).map((c) => c.id), ['vandalism', 'fly-tipping', 'vehicle-nuisance']);
});

test('statuses: core open/closed and the FixMyStreet extended statuses', () => {
  assert.equal(coreStatus('new'), 'open');
  assert.equal(coreStatus('with_partner'), 'open');
  assert.equal(coreStatus('resolved'), 'closed');
  assert.equal(coreStatus('closed'), 'closed');
  assert.equal(extendedStatus('new'), 'FOR_TRIAGE');
  assert.equal(extendedStatus('open'), 'INVESTIGATING');
  assert.equal(extendedStatus('referred'), 'INTERNAL_REFERRAL');
  assert.equal(extendedStatus('with_partner'), 'IN_PROGRESS');
  assert.equal(extendedStatus('resolved', 'action_taken'), 'FIXED');
  assert.equal(extendedStatus('resolved', 'duplicate'), 'DUPLICATE');
  assert.equal(extendedStatus('closed', 'out_of_scope'), 'NOT_COUNCILS_RESPONSIBILITY');
  assert.equal(extendedStatus('closed', 'no_further_action'), 'NO_FURTHER_ACTION');
  assert.equal(extendedStatus('closed', 'withdrawn'), 'CANCELLED');
  assert.equal(extendedStatus('closed'), 'CLOSED');
});

test('the format comes from the suffix, xml or json only', () => {
  assert.deepEqual(splitFormat('services.json'), { name: 'services', format: 'json' });
  assert.deepEqual(splitFormat('HM-7K3M-9QX4.xml'), { name: 'HM-7K3M-9QX4', format: 'xml' });
  assert.equal(splitFormat('services.html').format, null);
  assert.equal(splitFormat('services').format, null);
});

test('XML: declared UTF-8, escaped, control characters dropped, read back by a standard parser', () => {
  const xml = renderXml({ root: 'service_requests', item: 'request', body: [{ service_request_id: 'HM-1', address: 'A & B <C> "D"\u0001', values: [{ key: 'yes', name: 'Yes' }] }] });
  assert.equal(XMLValidator.validate(xml), true);
  assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>/);
  const parsed = new XMLParser({ parseTagValue: false }).parse(xml) as { service_requests: { request: { address: string; values: { value: { key: string } } } } };
  assert.equal(parsed.service_requests.request.address, 'A & B <C> "D"');
  assert.equal(parsed.service_requests.request.values.value.key, 'yes');
  assert.match(renderXml({ root: 'service_requests', item: 'request', body: [] }), /<service_requests><\/service_requests>/);
});

test('GET requests query: defaults to the last 90 days, refuses dates without a timezone, spans over 90 days and bad pages', () => {
  const now = Date.parse('2026-06-01T12:00:00Z');
  const q = parseRequestQuery({}, now);
  assert.ok(q.ok);
  assert.equal(q.query.to, now);
  assert.equal(q.query.to - q.query.from, 90 * 86_400_000);
  assert.equal(q.query.pageSize, 1000);
  const start = parseRequestQuery({ start_date: '2026-05-01T00:00:00+01:00' }, now);
  assert.ok(start.ok);
  assert.equal(start.query.from, Date.parse('2026-04-30T23:00:00Z'));
  assert.equal(parseRequestQuery({ start_date: '2026-05-01T00:00:00' }, now).ok, false);
  assert.equal(parseRequestQuery({ start_date: '2026-01-01T00:00:00Z', end_date: '2026-05-01T00:00:00Z' }, now).ok, false);
  assert.equal(parseRequestQuery({ start_date: '2026-05-02T00:00:00Z', end_date: '2026-05-01T00:00:00Z' }, now).ok, false);
  assert.equal(parseRequestQuery({ page: '0' }, now).ok, false);
  assert.equal(parseRequestQuery({ page_size: '1001' }, now).ok, false);
  const ids = parseRequestQuery({ service_request_id: 'HM-1, HM-2,HM-1' }, now);
  assert.ok(ids.ok);
  assert.deepEqual(ids.query.ids, ['HM-1', 'HM-2']);
});

test('GET requests dates: impossible dates refused, end_date includes its whole second (or minute), a future start_date lists nothing', () => {
  const now = Date.parse('2026-06-01T12:00:00Z');
  for (const bad of ['2026-02-30T00:00:00Z', '2026-11-31T00:00:00Z', '2025-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '2026-05-01T24:00:00Z', '2026-05-01T10:60:00Z', '2026-05-01T10:00:60Z']) {
    assert.equal(parseRequestQuery({ start_date: bad }, now).ok, false, bad);
  }
  assert.ok(parseRequestQuery({ start_date: '2024-02-29T00:00:00Z', end_date: '2024-03-01T00:00:00Z' }, now).ok, 'a leap day is a date');
  const second = parseRequestQuery({ start_date: '2026-05-01T06:00:00Z', end_date: '2026-05-01T06:16:25Z' }, now);
  assert.ok(second.ok);
  assert.equal(second.query.to, Date.parse('2026-05-01T06:16:25.999Z'), 'a case received at 06:16:25.400 is shown as 06:16:25, so that end includes it');
  const minute = parseRequestQuery({ start_date: '2026-05-01T05:00:00Z', end_date: '2026-05-01T06:16+01:00' }, now);
  assert.ok(minute.ok);
  assert.equal(minute.query.to, Date.parse('2026-05-01T05:16:59.999Z'));
  const exact = parseRequestQuery({ start_date: '2026-05-01T06:00:00Z', end_date: '2026-05-01T06:16:25.250Z' }, now);
  assert.ok(exact.ok);
  assert.equal(exact.query.to, Date.parse('2026-05-01T06:16:25.250Z'));
  const future = parseRequestQuery({ start_date: '2027-01-01T00:00:00Z' }, now);
  assert.ok(future.ok, 'not an error about an end_date never given');
  assert.equal(future.query.to, future.query.from, 'an empty span');
});

test('POST requests check: the ward from the postcode, anonymous drops contact details, hate motivation raises the priority', () => {
  const base = { service_code: 'noise', address_string: 'HW3 1AB', description: 'Loud music every night.', 'attribute[danger_now]': 'no' };
  const ok = parsePostedRequest({ ...base, first_name: 'Avery', email: 'avery@example.com' }, config);
  assert.ok(ok.ok);
  assert.equal(ok.request.wardId, 'thornwick-town');
  assert.equal(ok.request.privacy, 'confidential');
  assert.equal(ok.request.reporter?.email, 'avery@example.com');
  assert.equal(ok.request.priority, 'P4');
  const anonymous = parsePostedRequest({ ...base, first_name: 'Avery', email: 'avery@example.com', 'attribute[privacy]': 'anonymous' }, config);
  assert.ok(anonymous.ok);
  assert.equal(anonymous.request.reporter, null);
  assert.equal(anonymous.request.privacy, 'anonymous');
  const hate = parsePostedRequest({ ...base, 'attribute[hate_motivation]': 'yes', 'attribute[vulnerability]': 'not_sure' }, config);
  assert.ok(hate.ok);
  assert.equal(hate.request.priority, 'P2');
  assert.deepEqual(hate.request.riskAnswers, { hate: 'yes' });
  const html = parsePostedRequest({ ...base, description: 'Loud <script>alert(1)</script>' }, config);
  assert.equal(html.ok, false);
  const danger = parsePostedRequest({ ...base, 'attribute[danger_now]': 'yes' }, config);
  assert.ok(!danger.ok && /call 999/.test(danger.errors[0]!.description));
});

test('API keys: only a hash is stored; a wrong secret or a revoked key is refused; scope by service', async () => {
  const actor = { kind: 'user' as const, id: 'admin-1' };
  const issued = await issueKey({ name: 'CRM', services: ['noise'], canRead: false, canWrite: true, perMinute: 3 }, actor);
  assert.ok(issued);
  const { key, token } = issued;
  // The same id again (the issue form sent twice) issues nothing.
  assert.equal(await issueKey({ name: 'CRM again', services: null, canRead: true, canWrite: true, perMinute: 3 }, actor, Date.now(), key.id), null);
  assert.equal((await getDb().select().from(apiKeys)).length, 1);
  const [row] = await getDb().select().from(apiKeys);
  assert.ok(row);
  assert.equal(row.secretHash.length, 32);
  assert.ok(!Buffer.from(row.secretHash).toString('utf8').includes(token.split('.')[1]!), 'the secret itself is not stored');
  assert.ok((await authenticateKey(token)).ok);
  assert.deepEqual(await authenticateKey(`${key.id}.nottheright`), { ok: false, reason: 'invalid' });
  assert.deepEqual(await authenticateKey('garbage'), { ok: false, reason: 'invalid' });
  assert.ok(keyCoversService(key, 'noise'));
  assert.ok(!keyCoversService(key, 'vandalism'));
  assert.ok(keyCoversService({ services: null }, 'vandalism'));
  const results = await Promise.all(Array.from({ length: 8 }, () => takeKeyCall(key)));
  assert.equal(results.filter((r) => r.allowed).length, 3, 'exactly the limit, however many arrive at once');
  assert.equal(await revokeKey(key.id, actor), true);
  assert.equal(await revokeKey(key.id, actor), false);
  assert.deepEqual(await authenticateKey(token), { ok: false, reason: 'revoked' });
});
