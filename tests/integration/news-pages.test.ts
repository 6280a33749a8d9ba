/**
 * /news a page at a time over HTTP against the built server: 20 achievements a page, newest first, with the filter
 * kept in the page links, a page number past the end shown as the last page, and valid HTML on each page.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { htmlProblems } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { Visitor } from '../helpers/http.ts';
import { signInAs } from './staff-sign-in.ts';

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => server?.stop());

/** Create and publish an achievement through the console's forms. */
async function publish(editor: Visitor, n: number): Promise<void> {
  const day = String(n).padStart(2, '0');
  const res = await editor.post('/staff/publishing/new/achievement', {
    title: `Roads story number ${day}`, summary: `Story ${day} about the roads.`, body: 'Text.', theme: 'roads', date: `${n}/1/2026`, areas: 'saltings',
  });
  assert.equal(res.status, 303, await res.text());
  const id = /^\/staff\/publishing\/([^?]+)\?saved=1$/.exec(res.headers.get('location') ?? '')![1]!;
  for (const action of ['submit', 'publish']) {
    const done = await editor.post(`/staff/publishing/${id}`, { intent: 'action', action });
    await done.arrayBuffer();
    assert.equal(done.status, 303);
  }
}

test('/news shows 20 achievements a page, newest first, with page links that keep the filter', async () => {
  const editor = await signInAs(server.url, 'editor@hollowmere.example');
  for (let n = 1; n <= 21; n++) await publish(editor, n);
  const visitor = new Visitor(server.url);
  const titles = (html: string) => [...html.matchAll(/>Roads story number (\d\d)</g)].map((m) => Number(m[1]));

  const first = await (await visitor.get('/news?theme=roads')).text();
  assert.deepEqual(titles(first), Array.from({ length: 20 }, (_, i) => 21 - i), 'the newest 20');
  assert.match(first, /21 items, page 1 of 2/);
  assert.match(first, /<nav class="pagination" aria-label="Pages of achievements and news">/);
  assert.match(first, /href="\/news\?theme=roads&amp;page=2" rel="next"/);
  assert.doesNotMatch(first, /rel="prev"/);

  const second = await (await visitor.get('/news?theme=roads&page=2')).text();
  assert.deepEqual(titles(second), [1], 'the oldest on the last page');
  assert.match(second, /href="\/news\?theme=roads" rel="prev"/);
  assert.doesNotMatch(second, /rel="next"/);

  assert.deepEqual(titles(await (await visitor.get('/news?theme=roads&page=99')).text()), [1], 'past the end: the last page');
  assert.deepEqual(titles(await (await visitor.get('/news?theme=roads&page=x')).text()), titles(first), 'not a number: the first page');
  const problems = [...(await htmlProblems(first, '/news page 1')), ...(await htmlProblems(second, '/news page 2'))];
  assert.deepEqual(problems, []);
});
