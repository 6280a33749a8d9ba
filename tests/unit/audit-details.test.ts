/** The audit log's details column reads as words and leaves internal ids out. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeAuditData } from '../../src/domains/identity/audit-log.ts';

test('audit details are words: keys spelt out, yes/no, lists joined, internal ids and hashes left out', () => {
  assert.equal(describeAuditData({ email: 'ivy@hollowmere.example', role: 'editor', demo: true, attachmentId: '01J9ZQ', userIds: ['a', 'b'], tokenHash: 'x' }), 'email: ivy@hollowmere.example; role: editor; demo: yes');
  assert.equal(describeAuditData({ reasonCode: 'left', districts: ['Brackenford', 'Eastmere'], changes: { twoFactor: false } }), 'reason code: left; districts: Brackenford, Eastmere; changes: two factor no');
  assert.equal(describeAuditData(null), '');
  assert.equal(describeAuditData({ note: '', ref: null }), '');
  const long = describeAuditData({ reason: 'x'.repeat(500) });
  assert.equal(long.length, 200);
  assert.ok(long.endsWith('…'));
});
