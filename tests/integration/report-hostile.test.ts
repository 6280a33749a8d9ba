/** Bad and hostile input on the resident forms: a 4xx with a clear message, and nothing stored. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { createClient, type Client } from '@libsql/client';
import { ANSWERS_BEFORE_PHOTOS, Visitor } from '../helpers/http.ts';
import { exchange, openSocket } from '../helpers/raw-http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let db: Client;
/** The server's temporary folder (TMPDIR), where photo uploads stream before they are cleaned. */
const serverTmp = mkdtempSync(join(tmpdir(), 'saferline-tmp-'));
before(async () => {
  // What a server that died mid-upload would leave: an unclean photo in a folder named after its process id.
  mkdirSync(join(serverTmp, 'saferline-upload-999999999-dead'));
  writeFileSync(join(serverTmp, 'saferline-upload-999999999-dead', '0'), 'raw photo with GPS');
  server = await startServer({ TMPDIR: serverTmp });
  db = createClient({ url: server.dbUrl, timeout: 15_000 });
});
after(async () => {
  db.close();
  await server.stop();
  rmSync(serverTmp, { recursive: true, force: true });
});

async function count(table: string) {
  const r = await db.execute(`SELECT count(*) AS n FROM ${table}`);
  return Number(r.rows[0]!.n);
}

/** A visitor who has answered every question up to check answers. */
async function visitorAtCheck(): Promise<Visitor> {
  const v = new Visitor(server.url);
  const steps: (readonly [string, Record<string, string>])[] = [
    ...ANSWERS_BEFORE_PHOTOS,
    ['/report/photos', { intent: 'continue' }],
    ['/report/privacy', { privacy: 'anonymous' }],
  ];
  for (const [path, body] of steps) {
    const res = await v.post(path, body);
    assert.equal(res.status, 303, `${path} accepted`);
  }
  return v;
}

test('a forged or unknown draft id gets a 400 asking to start again', async () => {
  const v = new Visitor(server.url);
  v.cookies.set('draft', 'a'.repeat(32));
  const res = await v.get('/report/category');
  assert.equal(res.status, 400);
  assert.match(await res.text(), /Your answers have been deleted/);
  const junk = new Visitor(server.url);
  junk.cookies.set('draft', '../../etc/passwd');
  const res2 = await junk.post('/report/description', { description: 'x'.repeat(50) });
  assert.equal(res2.status, 400);
});

test('oversized, unreadable and wrongly typed answers get a 400 with a message, and nothing is saved', async () => {
  const v = new Visitor(server.url);
  assert.equal((await v.post('/report/danger', { danger: 'no' })).status, 303);
  assert.equal((await v.post('/report/category', { category: 'noise' })).status, 303);
  const before = await db.execute('SELECT data FROM drafts');
  const oversized = await v.post('/report/description', { description: 'a'.repeat(5001) });
  assert.equal(oversized.status, 400);
  assert.match(await oversized.text(), /What happened must be 5000 characters or fewer/);
  const control = await v.post('/report/description', { description: 'It happened \u0007 again last night' });
  assert.equal(control.status, 400);
  assert.match(await control.text(), /What happened contains characters that cannot be read/);
  const raw = await fetch(`${server.url}/report/description`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url, cookie: `draft=${v.cookies.get('draft')}` },
    body: Buffer.concat([Buffer.from('description=Broken%20'), Buffer.from('%FF%FE%FD'), Buffer.from('%20bytes%20here%20and%20more')]),
    redirect: 'manual',
  });
  assert.equal(raw.status, 400);
  assert.match(await raw.text(), /cannot be read/);
  const twice = new URLSearchParams([['category', 'noise'], ['category', 'vandalism']]);
  const wrong = await v.post('/report/category', twice);
  assert.equal(wrong.status, 400);
  const unknown = await v.post('/report/category', { category: "'; DROP TABLE cases; --" });
  assert.equal(unknown.status, 400);
  assert.match(await unknown.text(), /Select what your report is about/);
  const notAForm = await fetch(`${server.url}/report/description`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', origin: server.url, cookie: `draft=${v.cookies.get('draft')}` },
    body: 'description=hello',
    redirect: 'manual',
  });
  assert.ok(notAForm.status >= 400 && notAForm.status < 500, `non-form body gets ${notAForm.status}`);
  const after = await db.execute('SELECT data FROM drafts');
  assert.deepEqual(after.rows, before.rows, 'the draft is unchanged');
  assert.equal(await count('cases'), 0);
});

test('a non-image named .jpg and a too-large upload are refused and nothing is stored', async () => {
  const v = await visitorAtCheck();
  const fake = new FormData();
  fake.append('photos', new Blob(['<?php system($_GET["c"]); ?>'], { type: 'image/jpeg' }), 'holiday.jpg');
  fake.append('intent', 'upload');
  const res = await v.post('/report/photos', fake);
  assert.equal(res.status, 400);
  assert.match(await res.text(), /holiday\.jpg must be a JPEG, PNG or WebP image/);
  const big = new FormData();
  big.append('photos', new Blob([new Uint8Array(10 * 1024 * 1024 + 10)], { type: 'image/jpeg' }), 'huge.jpg');
  big.append('intent', 'upload');
  const res2 = await v.post('/report/photos', big);
  assert.equal(res2.status, 400);
  assert.match(await res2.text(), /huge\.jpg must be smaller than 10MB/);
  const draft = await db.execute('SELECT data FROM drafts');
  for (const row of draft.rows) assert.ok(!String(row.data).includes('"photos":[{'), 'no photo recorded');
  assert.equal(await count('attachments'), 0);
});

test('a photo streams to a temporary file: stored under its UTF-8 name without its GPS metadata; a body over the limit gets 413; no temporary file is left, nor one a dead process left', async () => {
  const v = await visitorAtCheck();
  const withGps = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } })
    .jpeg()
    .withExif({ IFD0: { Make: 'SpyCam', Model: 'X1' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' } })
    .toBuffer();
  assert.ok(withGps.includes(Buffer.from('SpyCam')), 'the fixture carries EXIF');
  const form = new FormData();
  form.append('photos', new Blob([new Uint8Array(withGps)], { type: 'image/jpeg' }), 'café on Mill Lane.jpg');
  form.append('intent', 'upload');
  const res = await v.post('/report/photos', form);
  assert.equal(res.status, 303);
  assert.match(await (await v.get('/report/photos')).text(), /café on Mill Lane\.jpg \(/, 'the name survives the streaming parser');
  const stored = readdirSync(join(server.dir, 'uploads')).filter((f) => f.endsWith('.jpg'));
  assert.equal(stored.length, 1);
  const bytes = readFileSync(join(server.dir, 'uploads', stored[0]!));
  assert.equal((await sharp(bytes).metadata()).exif, undefined, 'no EXIF block');
  assert.ok(!bytes.includes(Buffer.from('SpyCam')) && !bytes.includes(Buffer.from('Exif')), 'no metadata bytes');

  // 31 MB is the photo step's limit: a chunked body is cut off as soon as it passes it.
  const boundary = 'saferline-big';
  const head = `POST /report/photos HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nOrigin: ${server.url}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
  const mb = Buffer.alloc(1024 * 1024, 0x61);
  const chunk = (data: Buffer) => Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')]);
  const parts: (string | Buffer)[] = [head, chunk(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="photos"; filename="big.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`))];
  for (let i = 0; i < 33; i++) parts.push(chunk(mb));
  const big = await exchange(server.port, parts, { waitMs: 20_000 });
  assert.equal(big.status, 413);
  assert.equal(big.closed, true, 'the connection is closed');
  const fields = Array.from({ length: 201 }, (_, i) => `--${boundary}\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nx\r\n`).join('') + `--${boundary}--\r\n`;
  const many = await fetch(`${server.url}/report/photos`, { method: 'POST', headers: { origin: server.url, 'content-type': `multipart/form-data; boundary=${boundary}` }, body: fields });
  assert.equal(many.status, 413, 'the streaming reader counts parts as the server module does');
  assert.match(await many.text(), /too many fields/);
  assert.deepEqual(readdirSync(serverTmp), [], 'no temporary folder or file is left after a stored photo, the refusals above, or a cut-off body, and a dead process\'s folder was swept');

  // A cross-site upload streams like any other, then the origin check refuses it; the server module removes the files.
  const evil = await v.post('/report/photos', form, { origin: 'https://evil.example' });
  assert.equal(evil.status, 403);
  await until(() => readdirSync(serverTmp).length === 0, 'the refused upload\'s temporary folder is removed');
  assert.equal(readdirSync(join(server.dir, 'uploads')).length, 1, 'and nothing was stored');

  // Half a body: the photo is on disk while it arrives (not held in memory), and gone when the client goes away.
  const socket = await openSocket(server.port);
  socket.on('error', () => {});
  socket.write(head);
  socket.write(parts[1]!);
  socket.write(chunk(mb));
  const written = () => readdirSync(serverTmp).flatMap((d) => readdirSync(join(serverTmp, d)).map((f) => statSync(join(serverTmp, d, f)).size));
  await until(() => written().some((size) => size >= mb.length), 'the first megabyte reaches the temporary file');
  socket.destroy();
  await until(() => readdirSync(serverTmp).length === 0, 'the temporary folder is removed when the client goes away');
});

/** Wait for a condition the server reaches on its own (checked every 20 ms, for at most 10 s). */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 10_000; !condition(); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() > deadline) assert.fail(`never: ${what}`);
  }
}

test('the honeypot stops an automated submission with a message, and a double submit creates one case', async () => {
  const v = await visitorAtCheck();
  const bot = await v.post('/report/check', { website: 'http://spam.example' });
  assert.equal(bot.status, 400);
  assert.match(await bot.text(), /could not be sent/);
  assert.equal(await count('cases'), 0);
  const [a, b] = await Promise.all([v.post('/report/check', { website: '' }), v.post('/report/check', { website: '' })]);
  assert.equal(a.status, 303);
  assert.equal(b.status, 303);
  const again = await v.post('/report/check', { website: '' });
  assert.equal(again.status, 303, 'a refresh after sending goes on to the next page');
  assert.equal(await count('cases'), 1);
  const c = await db.execute("SELECT status, channel FROM cases");
  assert.equal(c.rows[0]!.status, 'new');
  assert.equal(c.rows[0]!.channel, 'web');
});

test('a cross-origin form POST is refused', async () => {
  const v = new Visitor(server.url);
  const res = await v.post('/report/danger', { danger: 'no' }, { origin: 'https://evil.example' });
  assert.equal(res.status, 403);
  assert.equal(await count('drafts'), (await count('drafts')));
});

test('feedback lands in the queue as its own case type; rate limits answer 429 with when to try again', async () => {
  const v = new Visitor(server.url);
  const page = await (await v.get('/feedback')).text();
  const token = /name="token" value="([a-z2-7]+)"/.exec(page)![1]!;
  const empty = await v.post('/feedback', { token });
  assert.equal(empty.status, 400);
  assert.match(await empty.text(), /Select what kind of feedback this is/);
  const ok = await v.post('/feedback', { token, feedbackType: 'compliment', message: 'The officer who called me back was brilliant.' });
  assert.equal(ok.status, 303);
  const dup = await v.post('/feedback', { token, feedbackType: 'compliment', message: 'The officer who called me back was brilliant.' });
  assert.equal(dup.headers.get('location'), ok.headers.get('location'), 'same case for a double submit');
  const rows = await db.execute("SELECT kind, feedback_type, status FROM cases WHERE kind = 'feedback'");
  assert.equal(rows.rows.length, 1);
  assert.equal(rows.rows[0]!.feedback_type, 'compliment');
  let last: Response | undefined;
  for (let i = 0; i < 21; i++) {
    last = await v.post('/feedback', { token: `x${i}`.padEnd(26, 'a').replace(/[^a-z2-7]/g, 'a'), feedbackType: 'feedback', message: `Message number ${i} about the service.` });
    if (last.status === 429) break;
  }
  assert.equal(last!.status, 429);
  assert.match(await last!.text(), /Try again in/);
  assert.ok(Number(last!.headers.get('retry-after') ?? '1') >= 0);
});
