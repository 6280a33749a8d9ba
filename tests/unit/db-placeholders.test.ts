import assert from 'node:assert/strict';
import { test } from 'node:test';
import { valueRows } from '../../src/platform/db/placeholders.ts';

test('valueRows gives rows of placeholders, the same text again for the same size', () => {
  assert.equal(valueRows(1, 1), '(?)');
  assert.equal(valueRows(2, 3), '(?, ?, ?), (?, ?, ?)');
  assert.equal(valueRows(2, 3), valueRows(2, 3));
  assert.equal(valueRows(3, 2), '(?, ?), (?, ?), (?, ?)');
});
