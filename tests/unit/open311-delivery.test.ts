/**
 * The Open311 client's delivery outbox and update pull on a real database with a controllable clock, against a plain
 * HTTP endpoint on loopback: the delivery job run twice (at once and again) sends a referral once; an endpoint that
 * is down is retried on the backoff schedule; a permanent 4xx fails for good; updates are applied once each and a
 * closing status completes the referral (and resolves the case) as the partner console would.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, beforeEach, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { openTestDatabase } from '../helpers/db.ts';
import { getDatabase, getDb, toStatement } from '../../src/platform/db/client.ts';
import { caseEvents, cases, open311RemoteUpdates, referralDeliveries, referrals } from '../../src/platform/db/schema.ts';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSiteConfig, type SiteConfig } from '../../src/platform/config/partnership.ts';
import { actionsForUpdate, deliverReferrals, pullReferralUpdates, referCase, requestParams, readSnapshot, type Open311ClientSettings } from '../../src/domains/referrals/index.ts';
import { insertCase, insertReporter, insertUser, settings as caseSettings } from './cases-fixtures.ts';

/** Monday 2 March 2026, 10:00 in London, a working day. */
const NOW = Date.UTC(2026, 2, 2, 10);
const MINUTE = 60_000;

let cleanup: () => Promise<void>;
let endpoint: Server;
let port: number;
/** How the endpoint answers POST requests now. */
let mode: 'ok' | 'down' | 'refuse' = 'ok';
let posts: URLSearchParams[] = [];
let updates: Record<string, string>[] = [];
let updateQueries: URLSearchParams[] = [];

before(async () => {
  ({ cleanup } = await openTestDatabase());
  endpoint = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://endpoint');
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST' && url.pathname === '/v2/requests.json') {
        posts.push(new URLSearchParams(body));
        if (mode === 'down') return void res.writeHead(503).end('Service Unavailable');
        if (mode === 'refuse') return void res.writeHead(422).end(JSON.stringify([{ code: 422, description: 'service_code potholes is closed' }]));
        // Slow enough that two runners at once would both be sending if they could both claim the row.
        return void setTimeout(() => res.end(JSON.stringify([{ service_request_id: `P-${posts.length}` }])), 100);
      }
      if (req.method === 'GET' && url.pathname === '/v2/servicerequestupdates.json') {
        updateQueries.push(url.searchParams);
        return void res.end(JSON.stringify(updates));
      }
      res.writeHead(404).end('[]');
    });
  });
  await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r));
  port = (endpoint.address() as { port: number }).port;
});
after(async () => {
  await new Promise((r) => endpoint.close(r));
  await cleanup();
});
beforeEach(async () => {
  // Each test starts with no deliveries left from another (they share the database).
  await getDatabase().writer.batch([toStatement(getDb().delete(referralDeliveries))]);
  mode = 'ok';
  posts = [];
  updates = [];
  updateQueries = [];
});

const base = loadSiteConfig('content');
/** The demo configuration with the police receiving referrals by Open311 at the test endpoint. */
const config = (): SiteConfig => ({
  ...base,
  agencies: base.agencies.map((a) => (a.id === 'police' ? { ...a, open311: { endpoint: `http://127.0.0.1:${port}/v2`, serviceCode: 'asb', apiKeyEnv: 'POLICE_OPEN311_KEY', attributes: { danger_now: 'no' } } } : a)),
});
const settings = (): Open311ClientSettings => ({ ...caseSettings, config: config(), env: { POLICE_OPEN311_KEY: 'secret-key' }, timeoutMs: 2000, retryBaseMs: MINUTE, leaseMs: MINUTE });

/** Refer a new case to the police (description and contact ticked); returns the referral id and the case. */
async function referToPolice(now = NOW) {
  const triage = await insertUser();
  const reporterId = await insertReporter({ name: 'Alex Jordan Example', email: 'alex.example@example.org' });
  const c = await insertCase({ reporterId, status: 'open', consentShare: true, description: 'Shouting in the stairwell every night' });
  const referred = await referCase(c.ref, triage, { agencyId: 'police', fields: ['description', 'contact'] }, settings(), now);
  assert.ok(referred.ok);
  return { id: referred.id, caseRow: c };
}

const deliveryOf = async (id: string) => (await getDb().select().from(referralDeliveries).where(eq(referralDeliveries.referralId, id)))[0]!;

test('the delivery job run twice, at once and again, sends the referral once and stores the partner\'s id', async () => {
  const { id, caseRow } = await referToPolice();
  assert.equal((await deliveryOf(id)).status, 'pending', 'queued with the referral, not sent in the request');
  const [a, b] = await Promise.all([deliverReferrals(settings(), NOW, 'runner-a'), deliverReferrals(settings(), NOW, 'runner-b')]);
  assert.equal(a.sent + b.sent, 1);
  assert.deepEqual(await deliverReferrals(settings(), NOW + 10 * MINUTE, 'runner-c'), { sent: 0, retry: 0, failed: 0 });
  assert.equal(posts.length, 1, 'one POST reached the endpoint');
  const post = posts[0]!;
  assert.equal(post.get('api_key'), 'secret-key');
  assert.equal(post.get('service_code'), 'asb');
  assert.equal(post.get('attribute[danger_now]'), 'no');
  assert.match(post.get('description') ?? '', /Shouting in the stairwell every night/);
  assert.equal(post.get('email'), 'alex.example@example.org');
  assert.equal(post.get('first_name'), 'Alex Jordan');
  assert.equal(post.get('last_name'), 'Example');
  const delivery = await deliveryOf(id);
  assert.equal(delivery.status, 'sent');
  assert.equal(delivery.serviceRequestId, 'P-1');
  const events = await getDb().select().from(caseEvents).where(and(eq(caseEvents.caseId, caseRow.id), eq(caseEvents.action, 'referral.delivered')));
  assert.equal(events.length, 1);
});

test('only what the snapshot holds and the agreement allows is posted: no contact details when they were not ticked', async () => {
  const triage = await insertUser();
  const reporterId = await insertReporter({ name: 'Casey Hidden', email: 'casey.hidden@example.org' });
  const c = await insertCase({ reporterId, status: 'open', consentShare: true, description: 'Not for the partner' });
  const referred = await referCase(c.ref, triage, { agencyId: 'police', fields: ['category'] }, settings(), NOW);
  assert.ok(referred.ok);
  const [row] = await getDb().select().from(referrals).where(eq(referrals.id, referred.id));
  const police = config().agencies.find((a) => a.id === 'police')!;
  const params = requestParams(readSnapshot(row!.snapshot), police, 'Hollowmere');
  assert.doesNotMatch(JSON.stringify(params), /Not for the partner|Casey|casey\.hidden/);
  assert.equal(params.email, undefined);
  assert.match(params.description!, /What it is about: /);
  const narrowed = requestParams(readSnapshot(row!.snapshot), { ...police, sharing: { ...police.sharing!, fields: ['location'] } }, 'Hollowmere');
  assert.doesNotMatch(narrowed.description!, /What it is about/, 'a field the agreement no longer covers is not sent');
});

test('an endpoint that is down is retried on the backoff schedule, not before, and delivered once it is up', async () => {
  const { id } = await referToPolice();
  mode = 'down';
  assert.deepEqual(await deliverReferrals(settings(), NOW), { sent: 0, retry: 1, failed: 0 });
  const first = await deliveryOf(id);
  assert.equal(first.status, 'pending');
  assert.equal(first.attempts, 1);
  assert.match(first.lastError ?? '', /503/);
  assert.ok(first.nextAttemptAt >= NOW + 0.9 * MINUTE && first.nextAttemptAt <= NOW + 1.1 * MINUTE, 'one unit later');
  assert.deepEqual(await deliverReferrals(settings(), NOW + 30_000), { sent: 0, retry: 0, failed: 0 }, 'not due yet');
  assert.equal(posts.length, 1);
  assert.deepEqual(await deliverReferrals(settings(), first.nextAttemptAt), { sent: 0, retry: 1, failed: 0 });
  const second = await deliveryOf(id);
  assert.ok(second.nextAttemptAt >= first.nextAttemptAt + 4.5 * MINUTE, 'then five units');
  mode = 'ok';
  assert.deepEqual(await deliverReferrals(settings(), second.nextAttemptAt), { sent: 1, retry: 0, failed: 0 });
  assert.equal((await deliveryOf(id)).status, 'sent');
  assert.equal(posts.length, 3);
});

test('a missing API key variable is retried, never sent without a key', async () => {
  const { id } = await referToPolice();
  assert.deepEqual(await deliverReferrals({ ...settings(), env: {} }, NOW), { sent: 0, retry: 1, failed: 0 });
  assert.match((await deliveryOf(id)).lastError ?? '', /POLICE_OPEN311_KEY/);
  assert.equal(posts.length, 0);
});

test('a permanent 4xx marks the delivery failed with the endpoint\'s words, and it is never sent again', async () => {
  const { id, caseRow } = await referToPolice();
  mode = 'refuse';
  assert.deepEqual(await deliverReferrals(settings(), NOW), { sent: 0, retry: 0, failed: 1 });
  const failed = await deliveryOf(id);
  assert.equal(failed.status, 'failed');
  assert.match(failed.lastError ?? '', /422 422 service_code potholes is closed/);
  mode = 'ok';
  assert.deepEqual(await deliverReferrals(settings(), NOW + 600 * MINUTE), { sent: 0, retry: 0, failed: 0 });
  assert.equal(posts.length, 1);
  assert.equal((await getDb().select().from(caseEvents).where(and(eq(caseEvents.caseId, caseRow.id), eq(caseEvents.action, 'referral.delivery_failed')))).length, 1);
});

test('updates pulled back become partner steps once each; FIXED completes the referral and resolves the case', async () => {
  const { id, caseRow } = await referToPolice();
  await deliverReferrals(settings(), NOW);
  const requestId = (await deliveryOf(id)).serviceRequestId!;
  const at = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  updates = [{ update_id: 'u1', service_request_id: requestId, status: 'INVESTIGATING', description: 'Being looked at', updated_datetime: at(NOW + MINUTE), media_url: '', external_status_code: '' }];
  assert.equal(await pullReferralUpdates(settings(), NOW + 2 * MINUTE), 1);
  let [referral] = await getDb().select().from(referrals).where(eq(referrals.id, id));
  assert.equal(referral!.status, 'in_progress', 'accepted, with the update');
  assert.equal(updateQueries[0]!.get('api_key'), 'secret-key');
  assert.equal(await pullReferralUpdates(settings(), NOW + 3 * MINUTE), 0, 'the same update again is not applied twice');
  assert.equal(updateQueries[1]!.get('start_date'), at(NOW + MINUTE), 'asked from the last update seen');
  updates.push({ update_id: 'u2', service_request_id: requestId, status: 'FIXED', description: 'Resolved', updated_datetime: at(NOW + 4 * MINUTE), media_url: '', external_status_code: 'action_taken' });
  assert.equal(await pullReferralUpdates(settings(), NOW + 5 * MINUTE), 1);
  [referral] = await getDb().select().from(referrals).where(eq(referrals.id, id));
  assert.equal(referral!.status, 'completed');
  assert.equal(referral!.outcome, 'Resolved (Open311 status FIXED)');
  const [c] = await getDb().select({ status: cases.status, resolutionCode: cases.resolutionCode }).from(cases).where(eq(cases.id, caseRow.id));
  assert.deepEqual(c, { status: 'resolved', resolutionCode: 'action_taken' });
  assert.equal((await getDb().select().from(open311RemoteUpdates).where(eq(open311RemoteUpdates.referralId, id))).length, 2);
  const steps = await getDb().select({ action: caseEvents.action, actorKind: caseEvents.actorKind }).from(caseEvents).where(eq(caseEvents.caseId, caseRow.id));
  assert.ok(steps.filter((s) => s.action.startsWith('referral.') && s.action !== 'referral.sent').every((s) => s.actorKind === 'system'), 'recorded as the system');
  const before = updateQueries.length;
  await pullReferralUpdates(settings(), NOW + 6 * MINUTE);
  assert.equal(updateQueries.length, before, 'a finished referral is no longer asked about');
});

test('what each remote status does to a referral', () => {
  assert.deepEqual(actionsForUpdate('sent', 'FOR_TRIAGE'), ['acknowledge']);
  assert.deepEqual(actionsForUpdate('acknowledged', 'FOR_TRIAGE'), []);
  assert.deepEqual(actionsForUpdate('sent', 'IN_PROGRESS'), ['accept', 'update']);
  assert.deepEqual(actionsForUpdate('in_progress', 'investigating'), ['update']);
  assert.deepEqual(actionsForUpdate('sent', 'FIXED'), ['accept', 'complete']);
  assert.deepEqual(actionsForUpdate('accepted', 'CLOSED'), ['complete']);
  assert.deepEqual(actionsForUpdate('acknowledged', 'NOT_COUNCILS_RESPONSIBILITY'), ['decline']);
  assert.deepEqual(actionsForUpdate('in_progress', 'CANCELLED'), ['return']);
  assert.deepEqual(actionsForUpdate('completed', 'REOPEN'), []);
});

/** Load the demo configuration with this `open311` block on the police. */
function loadWithOpen311(open311: unknown): SiteConfig {
  const dir = mkdtempSync(join(tmpdir(), 'saferline-o311c-config-'));
  try {
    cpSync(join('content', 'config'), join(dir, 'config'), { recursive: true });
    const file = join(dir, 'config', 'agencies.json');
    const agencies = JSON.parse(readFileSync(file, 'utf8')) as { id: string; open311?: unknown }[];
    agencies.find((a) => a.id === 'police')!.open311 = open311;
    writeFileSync(file, JSON.stringify(agencies));
    return loadSiteConfig(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('an agency\'s open311 block is checked at start: a URL, a variable name for the key, and never the key itself', () => {
  const ok = loadWithOpen311({ endpoint: 'https://crm.example/open311/v2/', serviceCode: 'asb', apiKeyEnv: 'POLICE_OPEN311_KEY' }).agencies.find((a) => a.id === 'police')!.open311!;
  assert.deepEqual(ok, { endpoint: 'https://crm.example/open311/v2', serviceCode: 'asb', apiKeyEnv: 'POLICE_OPEN311_KEY', attributes: {} });
  assert.throws(() => loadWithOpen311({ endpoint: 'ftp://crm.example', serviceCode: 'asb', apiKeyEnv: 'POLICE_OPEN311_KEY' }), /agencies\.json/);
  assert.throws(() => loadWithOpen311({ endpoint: 'https://crm.example', serviceCode: 'asb', apiKeyEnv: 'the key' }), /environment variable/);
  assert.throws(() => loadWithOpen311({ endpoint: 'https://crm.example', serviceCode: 'asb', apiKeyEnv: 'POLICE_OPEN311_KEY', apiKey: 'abc.secret' }), /apiKey/);
});
