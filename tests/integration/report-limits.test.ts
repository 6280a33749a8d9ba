/**
 * Limits on what one address can store through the report journey: new drafts per hour and photo bytes per
 * day. A refusal is a 429 with the page's error summary saying when to try again, and stores nothing.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { createClient } from '@libsql/client';
import { htmlProblems } from '../helpers/html.ts';
import { ANSWERS_BEFORE_PHOTOS, Visitor } from '../helpers/http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startServer({ DRAFTS_PER_HOUR_PER_ADDRESS: '2', PHOTO_MB_PER_DAY_PER_ADDRESS: '1' });
});
after(() => server?.stop());

async function countDrafts(): Promise<number> {
  const db = createClient({ url: server.dbUrl, timeout: 15_000 });
  const n = Number((await db.execute('SELECT count(*) AS n FROM drafts')).rows[0]!.n);
  db.close();
  return n;
}

function summary(html: string): string {
  return /class="error-summary[\s\S]*?<\/ul>/.exec(html)?.[0]?.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ') ?? '';
}

let firstVisitor: Visitor;

test('an address that starts too many reports in an hour gets 429 with when to try again, and no draft', async () => {
  const before = await countDrafts();
  const invalid = new Visitor(server.url);
  const empty = await invalid.post('/report/danger', {});
  assert.equal(empty.status, 400, 'an unanswered first question is refused');
  assert.equal(invalid.cookies.has('draft'), false, 'and starts no draft');
  assert.equal(await countDrafts(), before);

  firstVisitor = new Visitor(server.url);
  for (const v of [firstVisitor, new Visitor(server.url)]) {
    const res = await v.post('/report/danger', { danger: 'no' });
    assert.equal(res.status, 303);
    assert.ok(v.cookies.has('draft'));
  }
  const third = new Visitor(server.url);
  const res = await third.post('/report/danger', { danger: 'no' });
  assert.equal(res.status, 429);
  assert.match(res.headers.get('retry-after') ?? '', /^\d+$/);
  const html = await res.text();
  assert.match(summary(html), /There is a problem .*A lot of reports have been started from your connection recently\. Try again in (about an hour|\d+ minutes?), or call [0-9 ]+/);
  assert.match(html, /<input[^>]*value="no"[^>]*checked|<input[^>]*checked[^>]*value="no"/, 'the answer is kept in the form');
  assert.deepEqual(await htmlProblems(html, 'danger-429'), []);
  assert.equal(third.cookies.has('draft'), false);
  assert.equal(await countDrafts(), before + 2, 'the refused start stored nothing');
});

test('an address that uploads too many photo bytes in a day gets 429 with when to try again, and nothing stored', async () => {
  const v = firstVisitor;
  // This visitor answered the danger step above.
  for (const [path, body] of ANSWERS_BEFORE_PHOTOS.slice(1)) {
    assert.equal((await v.post(path, body)).status, 303, path);
  }
  // Random pixels do not compress: about 0.6 MB each, so the second passes the 1 MB a day allowed here.
  const noise = Buffer.from(Array.from({ length: 460 * 460 * 3 }, () => Math.floor(Math.random() * 256)));
  const png = await sharp(noise, { raw: { width: 460, height: 460, channels: 3 } }).png().toBuffer();
  assert.ok(png.length > 524_288 && png.length < 1_048_576, `test photo is ${png.length} bytes`);
  const upload = () => {
    const form = new FormData();
    form.append('photos', new Blob([png], { type: 'image/png' }), 'shelter.png');
    form.append('intent', 'upload');
    return v.post('/report/photos', form);
  };
  assert.equal((await upload()).status, 303, 'the first photo is stored');
  const res = await upload();
  assert.equal(res.status, 429);
  assert.match(res.headers.get('retry-after') ?? '', /^\d+$/);
  const html = await res.text();
  assert.match(summary(html), /A lot of photos have been uploaded from your connection recently\. Try again in (about an hour|about \d+ hours|\d+ minutes?), or call [0-9 ]+/);
  assert.deepEqual(await htmlProblems(html, 'photos-429'), []);
  assert.equal([...html.matchAll(/shelter\.png \(/g)].length, 1, 'the draft still holds the one photo');
  assert.equal(readdirSync(join(server.dir, 'uploads')).length, 1, 'the refused photo left no file');
});
