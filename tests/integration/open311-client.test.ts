/**
 * The Open311 client over loopback: a first Saferline process refers cases to agencies configured with Open311
 * endpoints. One agency's endpoint is a second Saferline process (its own database, a key issued on its admin
 * page): the case arrives in its queue with channel `api`, and the status its triage officer sets comes back to the
 * first process's referral through servicerequestupdates. Two agencies point at a plain HTTP endpoint in this test:
 * down at first (the delivery is retried until it is up, then resolved through tokens/{token}), and refusing with a
 * 400 (the delivery is marked failed, shown on the refer page, and never sent again).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freePort, startServer, type TestServer } from '../helpers/server.ts';
import { Visitor } from '../helpers/http.ts';
import { createWebReport } from '../helpers/staff.ts';
import { htmlProblems } from '../helpers/html.ts';
import { signInAs } from './staff-sign-in.ts';

let first: TestServer;
let partner: TestServer;
let triage: Visitor;
let partnerTriage: Visitor;
let contentDir: string;
let stub: Server | undefined;
let stubPort: number;
/** What the plain endpoint received: each POST's form. */
const stubPosts: URLSearchParams[] = [];

/** The plain endpoint: a token for each POST (its id through tokens/{token}); 400 for the service code `refused`. */
function handleStub(req: IncomingMessage, res: ServerResponse) {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://stub');
    res.setHeader('content-type', 'application/json');
    if (req.method === 'POST' && url.pathname === '/v2/requests.json') {
      const form = new URLSearchParams(body);
      stubPosts.push(form);
      if (form.get('service_code') === 'refused') {
        res.statusCode = 400;
        return res.end(JSON.stringify([{ code: 400, description: 'attribute[asset] is required' }]));
      }
      return res.end(JSON.stringify([{ token: `tok-${stubPosts.length}`, service_notice: 'thanks' }]));
    }
    const token = /^\/v2\/tokens\/(tok-\d+)\.json$/.exec(url.pathname)?.[1];
    if (req.method === 'GET' && token) return res.end(JSON.stringify([{ service_request_id: `EXT-${token.slice(4)}`, token }]));
    if (req.method === 'GET' && url.pathname === '/v2/servicerequestupdates.json') return res.end('[]');
    res.statusCode = 404;
    res.end('[]');
  });
}

/** Issue a key with write and read access on the partner's admin page; returns the key shown once. */
async function issuePartnerKey(): Promise<string> {
  const admin = await signInAs(partner.url, 'admin@hollowmere.example');
  const body = new URLSearchParams({ name: 'Hollowmere CSP referrals', scope: 'all', perMinute: '1000' });
  body.append('access', 'write');
  body.append('access', 'read');
  const res = await admin.post('/staff/admin/api-keys/new', body);
  const html = await res.text();
  assert.equal(res.status, 200, html.slice(0, 300));
  const key = /data-api-key>([^<]+)</.exec(html)?.[1];
  assert.ok(key, 'the issued key is shown');
  return key;
}

before(async () => {
  partner = await startServer();
  const key = await issuePartnerKey();
  stubPort = await freePort();
  contentDir = mkdtempSync(join(tmpdir(), 'saferline-o311c-'));
  cpSync('content', contentDir, { recursive: true });
  const file = join(contentDir, 'config', 'agencies.json');
  const agencies = JSON.parse(readFileSync(file, 'utf8')) as { id: string; open311?: unknown }[];
  const stubEndpoint = `http://127.0.0.1:${stubPort}/v2`;
  for (const a of agencies) {
    if (a.id === 'fire') a.open311 = { endpoint: `${partner.url}/open311/v2`, serviceCode: 'vandalism', apiKeyEnv: 'FIRE_OPEN311_KEY', attributes: { danger_now: 'no' } };
    if (a.id === 'highways') a.open311 = { endpoint: stubEndpoint, jurisdictionId: 'highways.example', serviceCode: 'potholes', apiKeyEnv: 'HIGHWAYS_OPEN311_KEY' };
    if (a.id === 'environment') a.open311 = { endpoint: stubEndpoint, serviceCode: 'refused', apiKeyEnv: 'HIGHWAYS_OPEN311_KEY' };
  }
  writeFileSync(file, JSON.stringify(agencies));
  first = await startServer({
    CONTENT_DIR: contentDir, FIRE_OPEN311_KEY: key, HIGHWAYS_OPEN311_KEY: 'stub-key',
    OPEN311_DELIVERY_INTERVAL_MS: '100', OPEN311_UPDATES_INTERVAL_MS: '200', OPEN311_RETRY_BASE_MS: '200', OPEN311_TIMEOUT_MS: '3000',
  });
  triage = await signInAs(first.url, 'triage@hollowmere.example');
  partnerTriage = await signInAs(partner.url, 'triage@hollowmere.example');
});
after(async () => {
  await first?.stop();
  await partner?.stop();
  await new Promise((r) => (stub ? stub.close(r) : r(undefined)));
  rmSync(contentDir, { recursive: true, force: true });
});

/** Poll a page until its HTML matches (the jobs run every few hundred milliseconds); returns the match. */
async function waitForPage(v: Visitor, path: string, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  const deadline = Date.now() + 30_000;
  let html = '';
  while (Date.now() < deadline) {
    html = await (await v.get(path)).text();
    const m = pattern.exec(html);
    if (m) return m;
    await new Promise((r) => setTimeout(r, 150));
  }
  assert.fail(`${what}: ${pattern} not found on ${path}\n${html.slice(0, 2000)}`);
}

/** The delivery line of the refer page's referrals table. */
const delivery = (words: string) => new RegExp(`data-delivery>(${words})</p>`);

test('a referral goes to a second Saferline process by Open311 (channel api, only the shared fields), and its status comes back as partner updates', async () => {
  const ref = await createWebReport(first.url, { email: 'sam.sharer@example.org', name: 'Sam Sharer', description: 'Bins set alight behind the parade, twice this week.' });
  const sent = await triage.post(`/staff/cases/${ref}/refer`, new URLSearchParams([['agencyId', 'fire'], ['fields', 'description'], ['fields', 'location']]));
  assert.equal(sent.status, 303);
  const remoteRef = (await waitForPage(triage, `/staff/cases/${ref}/refer`, delivery('Sent by Open311 as ([A-Z0-9-]+)'), 'delivered'))[2]!;
  assert.notEqual(remoteRef, ref, 'the partner gives its own reference');
  const referPage = await (await triage.get(`/staff/cases/${ref}/refer`)).text();
  assert.deepEqual(await htmlProblems(referPage, 'refer-open311'), [], 'the refer page with a delivery line is valid HTML');

  const queue = await (await partnerTriage.get('/staff/queue?channel=api')).text();
  assert.match(queue, new RegExp(remoteRef), 'the case is in the partner\'s queue, channel api');
  const remoteCase = await (await partnerTriage.get(`/staff/cases/${remoteRef}`)).text();
  assert.match(remoteCase, /Bins set alight behind the parade/, 'the shared description arrived');
  assert.match(remoteCase, new RegExp(`case ${ref}`), 'with our reference');
  assert.doesNotMatch(remoteCase, /Last weekend|Sam Sharer|sam\.sharer/, 'nothing the officer left unticked (when) or the agreement does not cover (contact)');

  assert.equal((await partnerTriage.post(`/staff/cases/${remoteRef}`, { intent: 'status', to: 'open', resolutionCode: '', agencyId: '', statusNote: '' })).status, 303);
  await waitForPage(triage, `/staff/cases/${ref}/refer`, /<td>In progress<p/, 'an INVESTIGATING update accepts the referral and records an update');
  assert.equal((await partnerTriage.post(`/staff/cases/${remoteRef}`, { intent: 'status', to: 'resolved', resolutionCode: 'action_taken', agencyId: '', statusNote: '' })).status, 303);
  await waitForPage(triage, `/staff/cases/${ref}/refer`, /<td>Completed<p/, 'FIXED completes the referral');
  const casePage = await (await triage.get(`/staff/cases/${ref}`)).text();
  assert.match(casePage, /Resolved/, 'the last referral completed: the case is resolved, as the partner console would do');
  assert.match(casePage, /Open311 status FIXED/, 'the update is on the timeline');
});

test('a delivery to an endpoint that is down is retried until it is up, then its token is resolved to the partner\'s id', async () => {
  const ref = await createWebReport(first.url, { email: 'pat.pothole@example.org', name: 'Pat Pothole', description: 'A deep hole by the bus stop.' });
  assert.equal((await triage.post(`/staff/cases/${ref}/refer`, new URLSearchParams([['agencyId', 'highways'], ['fields', 'location'], ['fields', 'photos']]))).status, 303);
  await waitForPage(triage, `/staff/cases/${ref}/refer`, delivery('Waiting to send by Open311 \\(tried \\d+ times?: [^<]*\\)'), 'the refused connection is recorded for a retry');
  stub = createServer(handleStub);
  await new Promise<void>((r) => stub!.listen(stubPort, '127.0.0.1', r));
  await waitForPage(triage, `/staff/cases/${ref}/refer`, delivery('Sent by Open311 as EXT-\\d+'), 'sent once the endpoint is up');
  const posts = stubPosts.filter((p) => p.get('service_code') === 'potholes');
  assert.equal(posts.length, 1, 'sent once');
  const post = posts[0]!;
  assert.equal(post.get('api_key'), 'stub-key', 'the key from the environment variable');
  assert.equal(post.get('jurisdiction_id'), 'highways.example');
  assert.equal(post.get('address_string'), 'HW3 1AB', 'the shared location as a postcode');
  assert.doesNotMatch(post.get('description') ?? '', /deep hole/, 'the description is not in the highways agreement');
  for (const name of ['email', 'phone', 'first_name', 'last_name']) assert.equal(post.get(name), null, `no ${name}: contact is not shared`);
});

test('a permanent 4xx marks the delivery failed on the refer page and it is not sent again', async () => {
  const ref = await createWebReport(first.url, { email: 'fran.flytip@example.org', name: 'Fran Flytip', description: 'Mattresses dumped in the lane.' });
  if (!stub) {
    stub = createServer(handleStub);
    await new Promise<void>((r) => stub!.listen(stubPort, '127.0.0.1', r));
  }
  assert.equal((await triage.post(`/staff/cases/${ref}/refer`, { agencyId: 'environment', fields: 'description' })).status, 303);
  const failed = await waitForPage(triage, `/staff/cases/${ref}/refer`, /<p class="body-s error-message" data-delivery>Open311 delivery failed: [^<]*400[^<]*attribute\[asset\] is required<\/p>/, 'failed for triage');
  assert.ok(failed);
  const before = stubPosts.filter((p) => p.get('service_code') === 'refused').length;
  assert.equal(before, 1);
  // Several delivery runs later (every 100 ms, retry unit 200 ms), still one POST.
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(stubPosts.filter((p) => p.get('service_code') === 'refused').length, 1, 'never sent again');
  const casePage = await (await triage.get(`/staff/cases/${ref}`)).text();
  assert.match(casePage, /could not be sent by Open311/);
});
