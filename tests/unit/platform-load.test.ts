import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadSince, markLoad, requestFinished, requestStarted } from '../../src/platform/load.ts';

test('the request clock runs while at least one request is in flight, overlapping requests counted once', () => {
  const mark = markLoad(1_000);
  requestStarted(1_000);
  requestStarted(1_100);
  requestFinished(1_200);
  requestFinished(1_250);
  // idle from 1,250 to 1,500, then one request still in flight at 2,000
  requestStarted(1_500);
  const load = loadSince(mark, 2_000);
  assert.equal(load.requests, 0.75, '250 ms + 500 ms of 1,000 ms');
  requestFinished(2_000);
  assert.equal(loadSince(markLoad(2_000), 3_000).requests, 0, 'nothing in flight');
});

test('a finish without a start (a response closed twice) does not run the clock backwards', () => {
  requestFinished(5_000);
  const mark = markLoad(5_000);
  requestStarted(5_000);
  requestFinished(5_400);
  assert.equal(loadSince(mark, 6_000).requests, 0.4);
});

test('the event loop utilization since a mark is a share between 0 and 1', async () => {
  await new Promise((resolve) => setTimeout(resolve, 5));
  const mark = markLoad();
  const end = performance.now() + 30;
  while (performance.now() < end);
  await new Promise((resolve) => setTimeout(resolve, 1));
  const { loop } = loadSince(mark);
  assert.ok(loop > 0.5 && loop <= 1, String(loop));
});
