/** Every resident page of the report, tracking and feedback journeys is valid HTML, in its normal and error states. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { htmlProblems } from '../helpers/html.ts';
import { Visitor } from '../helpers/http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

async function expectValid(label: string, res: Response, status: number) {
  assert.equal(res.status, status, `${label} status`);
  const html = await res.text();
  assert.deepEqual(await htmlProblems(html, label), [], `${label} is valid HTML`);
}

test('report journey pages, their error states, check answers, equality and confirmation are valid HTML', async () => {
  const v = new Visitor(server.url);
  await expectValid('start', await v.get('/report'), 200);
  await expectValid('danger', await v.get('/report/danger'), 200);
  await expectValid('danger-error', await v.post('/report/danger', {}), 400);
  const steps: [string, Record<string, string>][] = [
    ['danger', { danger: 'no' }],
    ['category', { category: 'hate-incident' }],
    ['description', { description: 'Shouting abuse at my neighbour because of her religion.' }],
    ['when', { whenKind: 'date' }],
    ['when-details', { 'when-day': '2', 'when-month': '11', 'when-year': '2026', 'when-time': '21:30' }],
    ['where', { postcode: '', place: 'Quayside' }],
    ['people', { people: 'Two adults', affected: 'neighbour', before: 'yes' }],
    ['photos', { intent: 'continue' }],
    ['privacy', { privacy: 'confidential' }],
    ['contact', { name: 'Jo Example', email: 'jo@example.com', phone: '', preferredContact: 'email', consentShare: 'no' }],
  ];
  for (const [step, body] of steps) {
    if (step !== 'danger') {
      await expectValid(step, await v.get(`/report/${step}`), 200);
      await expectValid(`${step}-error`, await v.post(`/report/${step}`, step === 'photos' ? { intent: 'upload' } : {}), 400);
    }
    assert.equal((await v.post(`/report/${step}`, body)).status, 303, `${step} accepted`);
  }
  await expectValid('check', await v.get('/report/check'), 200);
  await expectValid('emergency', await v.get('/report/emergency'), 200);
  assert.equal((await v.post('/report/check', { website: '' })).status, 303);
  await expectValid('equality', await v.get('/report/equality'), 200);
  assert.equal((await v.post('/report/equality', { skip: '1' })).status, 303);
  await expectValid('confirmation', await v.get('/report/confirmation'), 200);
  const expired = new Visitor(server.url);
  expired.cookies.set('draft', 'z'.repeat(32));
  await expectValid('expired', await expired.get('/report/category'), 400);
});

test('tracking and feedback pages are valid HTML', async () => {
  const v = new Visitor(server.url);
  await expectValid('track', await v.get('/track'), 200);
  await expectValid('track-error', await v.post('/track', { ref: 'nonsense' }), 400);
  await expectValid('feedback', await v.get('/feedback'), 200);
  await expectValid('feedback-error', await v.post('/feedback', { token: 'abc' }), 400);
});
