/** The test command's own parts: tiers from arguments, counts from the runner, coverage cut and summed, axe page states, the test SMTP server. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { statSync } from 'node:fs';
import { connect } from 'node:net';
import { closingLine, orderLongestFirst, parseTestCounts, planTiers } from '../../scripts/test.ts';
import { keepScriptsUnder, percentOf, summariseByFolder, totalOf } from '../../scripts/coverage.ts';
import { stateOfHtml } from '../helpers/browser.ts';
import { cpuSecondsOfTree } from '../../scripts/test-cpu.ts';
import { startSmtp } from '../helpers/smtp.ts';

test('with no files every tier runs its folder; named files go to their tier, options to every tier', () => {
  const all = planTiers([]);
  assert.deepEqual(all.map((p) => [p.tier.name, p.tier.coverage]), [['unit', 'tests'], ['integration', 'servers'], ['browser', false], ['dev server', false]]);
  // The dev-server test runs on its own, after the type checks (astro dev rewrites the types they read).
  assert.deepEqual(all.find((p) => p.tier.name === 'dev server')!.files, ['tests/integration/dev-server.test.ts']);
  assert.ok(!all.find((p) => p.tier.name === 'integration')!.files.includes('tests/integration/dev-server.test.ts'));
  const plan = planTiers(['--test-name-pattern=x', 'tests/e2e/a.test.ts', 'tests/unit/b.test.ts', 'other/c.test.ts']);
  assert.deepEqual(plan.map((p) => [p.tier.name, p.files]), [
    ['unit', ['--test-name-pattern=x', 'tests/unit/b.test.ts']],
    ['integration', ['--test-name-pattern=x', 'other/c.test.ts']],
    ['browser', ['--test-name-pattern=x', 'tests/e2e/a.test.ts']],
  ]);
});

test('files run longest first: globs are expanded and sorted by size, largest first', () => {
  const files = orderLongestFirst(['tests/unit/*.test.ts']);
  assert.ok(files.length > 5 && files.every((f) => f.startsWith('tests/unit/') && f.endsWith('.test.ts')));
  const sizes = files.map((f) => statSync(f).size);
  assert.deepEqual(sizes, [...sizes].sort((a, b) => b - a));
  assert.deepEqual(orderLongestFirst(['tests/unit/test-rig.test.ts', 'tests/unit/test-rig.test.ts']), ['tests/unit/test-rig.test.ts']);
});

test('files run longest first by the times the last run recorded; a file without one by its size at the recorded seconds per byte', () => {
  const [small, large] = ['tests/unit/test-rig.test.ts', 'tests/unit/layout.test.ts'].sort((a, b) => statSync(a).size - statSync(b).size);
  assert.deepEqual(orderLongestFirst([small!, large!], { [small!]: 30, [large!]: 2 }), [small, large], 'recorded times beat size');
  // A file with no record is estimated at its size times the recorded seconds per byte (51 s over both files' bytes).
  const third = 'scripts/test.ts';
  const estimate = (statSync(third).size * 51) / (statSync(small!).size + statSync(large!).size);
  const expected = [[small!, 50], [large!, 1], [third, estimate]] as const;
  assert.deepEqual(orderLongestFirst([large!, third, small!], { [small!]: 50, [large!]: 1 }), [...expected].sort((a, b) => b[1] - a[1]).map(([f]) => f));
  assert.deepEqual(orderLongestFirst([small!, large!], {}), [large, small], 'by size when nothing is recorded');
});

test('counts come from the last summary, cancelled counting as failed', () => {
  const out = 'ℹ pass 1\n...\nℹ tests 9\nℹ pass 6\nℹ fail 1\nℹ cancelled 2\nℹ skipped 0\nℹ todo 1\n\n✖ failing tests:\n';
  assert.deepEqual(parseTestCounts(out), { passed: 6, failed: 3, skipped: 1 });
  const tier = { name: 'unit', files: 1, exitCode: 1, seconds: 1 };
  assert.equal(closingLine([{ ...tier, counts: { passed: 6, failed: 3, skipped: 1 } }, { ...tier, counts: { passed: 4, failed: 0, skipped: 0 } }]), 'tests: 10 passed, 3 failed, 1 skipped');
});

test('raw coverage keeps only our scripts and their source maps', () => {
  const raw = { result: [{ url: 'file:///r/src/a.ts' }, { url: 'file:///r/node_modules/x.js' }, { url: 'node:fs' }, { url: 'file:///r/dist/server/entry.mjs' }], 'source-map-cache': { 'file:///r/dist/server/entry.mjs': {}, 'file:///r/node_modules/x.js': {} } };
  const kept = keepScriptsUnder(raw, ['file:///r/src/', 'file:///r/dist/server/'])!;
  assert.deepEqual(kept.result.map((s) => s.url), ['file:///r/src/a.ts', 'file:///r/dist/server/entry.mjs']);
  assert.deepEqual(Object.keys(kept['source-map-cache']!), ['file:///r/dist/server/entry.mjs']);
  assert.equal(keepScriptsUnder({ result: [{ url: 'node:fs' }] }, ['file:///r/src/']), null);
});

test('coverage is summed per folder of src/ and in all, leaving out what is not in src/', () => {
  const file = (covered: number, total: number) => ({ lines: { covered, total }, statements: { covered, total }, functions: { covered: 1, total: 2 }, branches: { covered: 0, total: 0 } });
  const summary = { total: file(0, 0), '/r/src/a.ts': file(3, 4), '/r/src/web/b.ts': file(1, 4), '/r/src/web/c.astro': file(0, 2), '/r/node_modules/astro/x.js': file(0, 100) };
  assert.deepEqual(summariseByFolder(summary, '/r'), [
    { folder: 'src', files: 1, covered: 3, total: 4 },
    { folder: 'src/web', files: 2, covered: 1, total: 6 },
  ]);
  assert.deepEqual(totalOf(summary, '/r', 'lines'), { covered: 4, total: 10 });
  assert.equal(percentOf(totalOf(summary, '/r', 'lines')), 40);
  assert.equal(percentOf(totalOf(summary, '/r', 'branches')), 100);
});

test('an axe page state ignores hidden tokens but not the address or what is shown', () => {
  const page = (token: string, body: string) => `<form><input type="hidden" name="token" value="${token}"><input name="x" value="a"></form>${body}`;
  assert.equal(stateOfHtml('http://a:1/p', page('1', '<p>x</p>')), stateOfHtml('http://b:2/p', page('2', '<p>x</p>')));
  assert.notEqual(stateOfHtml('http://a:1/p', page('1', '<p>x</p>')), stateOfHtml('http://a:1/p', page('1', '<p>y</p>')));
  assert.notEqual(stateOfHtml('http://a:1/p', page('1', '<p>x</p>')), stateOfHtml('http://a:1/q', page('1', '<p>x</p>')));
  assert.notEqual(stateOfHtml('http://a:1/p', page('1', '')), stateOfHtml('http://a:1/p', page('1', '').replace('value="a"', 'value="b"')));
});

test('the CPU recorder reads user, system and waited-for children times from /proc/self/stat', () => {
  // pid (comm with a space and a parenthesis) state ppid … utime stime cutime cstime …
  const stat = '4242 (node (x) y) S 1 2 3 4 5 6 7 8 9 10 150 50 1000 200 20 0 1 0 100 0 0';
  assert.equal(cpuSecondsOfTree(stat), 14);
  assert.equal(cpuSecondsOfTree('garbage'), null);
});

test('the test SMTP server survives a client reset in the middle of a message, and does not count that message', async () => {
  const smtp = await startSmtp();
  try {
    const { port } = new URL(smtp.url);
    const socket = connect(Number(port), '127.0.0.1');
    const replies: string[] = [];
    socket.on('data', (d) => replies.push(d.toString()));
    socket.on('error', () => {});
    const waitFor = async (code: string) => {
      for (let i = 0; i < 100 && !replies.join('').includes(code); i++) await new Promise((r) => setTimeout(r, 20));
    };
    await waitFor('220');
    for (const [line, code] of [['EHLO test', '250 '], ['MAIL FROM:<a@example.org>', '250 Accepted'], ['RCPT TO:<b@example.org>', '250 Accepted'], ['DATA', '354']] as const) {
      replies.length = 0;
      socket.write(`${line}\r\n`);
      await waitFor(code);
    }
    socket.write('Subject: half a message\r\n\r\nno end');
    await new Promise((r) => setTimeout(r, 50));
    // An RST, not a FIN: inside the mail transaction smtp-server reports ECONNRESET as an 'error' event.
    socket.resetAndDestroy();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(smtp.messages.length, 0);
  } finally {
    await smtp.close();
  }
});
