/** Formats over HTTP: the streamed CSV downloads (named by London day), and e-mail addresses that must be one mailbox. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';
import { Visitor } from '../helpers/http.ts';
import { createWebReport } from '../helpers/staff.ts';
import { signInAs } from './staff-sign-in.ts';
import { londonDate } from '../../src/platform/time/london.ts';

let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

test('the queue and call exports download over HTTP as CSV named by the London day', async () => {
  const ref = await createWebReport(server.url, { description: 'Someone keeps dumping rubbish by the gate on Heath Lane.', email: 'export@example.com' } as never);
  const admin = await signInAs(server.url, 'admin@hollowmere.example');
  for (const [path, name, first] of [['/staff/queue/export.csv?status=all', 'cases', /^reference,.*,reporter_name,reporter_email,reporter_phone$/], ['/staff/calls/export.csv', 'calls', /^call_id,started_at,day,/]] as const) {
    const day = londonDate(Date.now());
    const res = await admin.get(path);
    assert.equal(res.status, 200, path);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(res.headers.get('content-disposition') ?? '', new RegExp(`^attachment; filename="${name}-(${day}|${londonDate(Date.now())})\\.csv"$`));
    const csv = await res.text();
    assert.match(csv.split('\r\n')[0]!, first);
    if (name === 'cases') assert.ok(csv.includes(ref));
  }
});

test('feedback refuses an address list, so a reply can never go to a second address', async () => {
  const v = new Visitor(server.url);
  const res = await v.post('/feedback', { feedbackType: 'complaint', message: 'The phone line was busy all day.', email: 'a,victim@example.org', token: 'abcdefghijklmnopqrstuvwxyz' });
  assert.equal(res.status, 400);
  assert.match(await res.text(), /Enter an email address in the correct format/);
});
