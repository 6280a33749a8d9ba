import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTriageAnswers, priorityFor, type TriageAnswers } from '../../src/domains/cases/priority.ts';

const calm: TriageAnswers = { risk: 'none', vulnerable: 'no', repeat: 'no', hate: 'no' };

test('no concerns keep the category default', () => {
  assert.equal(priorityFor(calm, 'P4'), 'P4');
  assert.equal(priorityFor(calm, 'P3'), 'P3');
  assert.equal(priorityFor(calm, null), 'P3');
});

test('high risk is P1; some risk with vulnerability or hate is P1', () => {
  assert.equal(priorityFor({ ...calm, risk: 'high' }, 'P4'), 'P1');
  assert.equal(priorityFor({ ...calm, risk: 'some', vulnerable: 'yes' }, 'P4'), 'P1');
  assert.equal(priorityFor({ ...calm, risk: 'some', hate: 'yes' }, 'P4'), 'P1');
});

test('some risk, vulnerability, repeat or hate alone is P2', () => {
  for (const answers of [{ ...calm, risk: 'some' as const }, { ...calm, vulnerable: 'yes' as const }, { ...calm, repeat: 'yes' as const }, { ...calm, hate: 'yes' as const }]) {
    assert.equal(priorityFor(answers, 'P4'), 'P2');
  }
});

test('answers never lower a category default', () => {
  assert.equal(priorityFor(calm, 'P1'), 'P1');
  assert.equal(priorityFor({ ...calm, repeat: 'yes' }, 'P1'), 'P1');
});

test('form answers are validated', () => {
  assert.deepEqual(parseTriageAnswers({ risk: 'some', vulnerable: 'no', repeat: 'yes', hate: 'no' }), { ok: true, answers: { risk: 'some', vulnerable: 'no', repeat: 'yes', hate: 'no' } });
  assert.deepEqual(parseTriageAnswers({ risk: 'maybe', vulnerable: 'no' }), { ok: false, missing: ['risk', 'repeat', 'hate'] });
});
