/** The partner's referral history speaks in words: every referral event the case timeline knows has its own. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { describeEvent, updateDecisions } from '../../src/domains/cases/index.ts';
import { referralHistoryLabel } from '../../src/domains/referrals/index.ts';

const FALLBACK = referralHistoryLabel('referral.never-written');

test('every referral event of the case timeline has words in the partner\'s history, and a new kind shows no code', () => {
  const source = readFileSync(join(import.meta.dirname, '../../src/domains/cases/actions.ts'), 'utf8');
  const actions = [...new Set([...source.matchAll(/case '(referral\.[a-z_.]+)'/g)].map((m) => m[1]!))];
  assert.ok(actions.length >= 12, `found ${actions.length}`);
  const missing = actions.filter((a) => referralHistoryLabel(a) === FALLBACK);
  assert.deepEqual(missing, []);
  assert.equal(FALLBACK, 'Recorded by the partnership');
  assert.doesNotMatch(FALLBACK, /referral\./);
});

test('the case timeline says how a partner update for the reporter was decided', () => {
  const update = (id: string) => ({ id, action: 'referral.update', data: { agencyId: 'police', forReporter: true } });
  const events = [update('u1'), update('u2'), update('u3'), { action: 'referral.update.released', data: { updateId: 'u1' } }, { action: 'referral.update.withheld', data: { updateId: 'u2' } }];
  const decisions = updateDecisions(events);
  assert.deepEqual(events.slice(0, 3).map((e) => describeEvent(e, () => 'Police', decisions)), [
    'Police: update added for the reporter (released)',
    'Police: update added for the reporter (withheld)',
    'Police: update added for the reporter (pending release)',
  ]);
});
