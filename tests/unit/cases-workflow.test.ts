import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CASE_STATUSES, TRANSITIONS, publicStatus, transitionCase, type CaseStatus } from '../../src/domains/cases/workflow.ts';

const settings = { reopenWindowDays: 28 };
const now = Date.UTC(2026, 10, 23, 10);
const DAY = 86_400_000;

/** A case in a status with everything each move needs. */
function ready(status: CaseStatus) {
  return { status, priority: 'P3', resolutionCode: status === 'resolved' || status === 'closed' ? 'advice_given' : null, referredAgencyId: 'police', reopenUntil: now + DAY, reporterContactable: true };
}
const input = (to: string) => ({ to, resolutionCode: 'advice_given', agencyId: 'police' });

for (const from of CASE_STATUSES) {
  for (const to of CASE_STATUSES) {
    const allowed = TRANSITIONS[from].includes(to);
    test(`${from} -> ${to} is ${allowed ? 'allowed' : 'refused'}`, () => {
      const result = transitionCase(ready(from), input(to), settings, now);
      assert.equal(result.ok, allowed, result.ok ? 'allowed' : result.message);
      if (!result.ok) {
        assert.match(result.message, from === to ? /already/ : /cannot be moved to/);
      } else {
        assert.equal(result.changes.status, to);
        assert.equal(result.changes.statusChangedAt, now);
      }
    });
  }
}

test('the refusal names the allowed moves', () => {
  const r = transitionCase(ready('closed'), input('referred'), settings, now);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.message, 'A case that is closed cannot be moved to referred. It can be moved to: open');
});

test('resolving or closing needs a valid resolution code', () => {
  const a = transitionCase(ready('open'), { to: 'resolved' }, settings, now);
  assert.equal(!a.ok && a.message, 'Choose a resolution code to resolve the case');
  const b = transitionCase(ready('new'), { to: 'closed' }, settings, now);
  assert.equal(!b.ok && b.message, 'Choose a resolution code to close the case');
  const c = transitionCase(ready('open'), { to: 'resolved', resolutionCode: 'fixed' }, settings, now);
  assert.equal(!c.ok && c.message, "'fixed' is not a resolution code");
  const d = transitionCase(ready('new'), { to: 'closed', resolutionCode: 'spam' }, settings, now);
  assert.ok(d.ok && d.changes.resolutionCode === 'spam' && d.changes.closedAt === now && d.changes.reopenUntil === now + 28 * DAY);
});

test('resolving sets the reopen window; closing a resolved case keeps its code and window', () => {
  const r = transitionCase(ready('open'), { to: 'resolved', resolutionCode: 'action_taken' }, settings, now);
  assert.ok(r.ok);
  assert.equal(r.ok && r.changes.reopenUntil, now + 28 * DAY);
  const c = transitionCase({ status: 'resolved', resolutionCode: 'action_taken', reopenUntil: now + 5 * DAY }, { to: 'closed' }, settings, now);
  assert.ok(c.ok && c.changes.resolutionCode === 'action_taken' && c.changes.reopenUntil === now + 5 * DAY);
});

test('a closed case reopens within the window and is refused after it', () => {
  const inside = transitionCase({ status: 'closed', reopenUntil: now + 1 }, { to: 'open' }, settings, now);
  assert.ok(inside.ok && inside.reopened && inside.changes.resolutionCode === null && inside.changes.reopenUntil === null);
  const atEdge = transitionCase({ status: 'closed', reopenUntil: now }, { to: 'open' }, settings, now);
  assert.ok(atEdge.ok);
  const after = transitionCase({ status: 'closed', reopenUntil: Date.UTC(2026, 10, 1, 12) }, { to: 'open' }, settings, now);
  assert.equal(!after.ok && after.message, 'This case can no longer be reopened. The reopen window ended on 1 November 2026. Record a new case and link it instead.');
  const zero = transitionCase({ status: 'resolved', reopenUntil: null }, { to: 'open' }, settings, now);
  assert.equal(zero.ok, false);
});

test('opening a new case needs a priority; referral needs an agency; waiting needs a contactable reporter', () => {
  const a = transitionCase({ status: 'new', priority: null }, { to: 'open' }, settings, now);
  assert.equal(!a.ok && a.message, 'Set a priority before opening the case (answer the triage questions)');
  const b = transitionCase({ status: 'open' }, { to: 'referred' }, settings, now);
  assert.equal(!b.ok && b.message, 'Choose the agency the case is referred to');
  const c = transitionCase({ status: 'open' }, { to: 'referred', agencyId: 'asb-team' }, settings, now);
  assert.ok(c.ok && c.changes.referredAgencyId === 'asb-team');
  const d = transitionCase({ status: 'open', reporterContactable: false }, { to: 'awaiting_reporter' }, settings, now);
  assert.match(!d.ok ? d.message : '', /cannot be contacted/);
  const e = transitionCase({ status: 'open' }, { to: 'with_partner' }, settings, now);
  assert.equal(!e.ok && e.message, 'Choose the agency the case is with');
  const f = transitionCase({ status: 'open' }, { to: 'nowhere' }, settings, now);
  assert.equal(!f.ok && f.message, "'nowhere' is not a case status");
});

test('the reporter sees derived words', () => {
  assert.deepEqual(CASE_STATUSES.map(publicStatus), ['Received', 'Being looked at', 'We need more information', 'Passed to a partner', 'Passed to a partner', 'Resolved', 'Closed']);
});
