import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkPasswordPolicy, hashPassword, verifyPassword } from '../../src/domains/identity/password.ts';

test('Argon2id hashes with the agreed parameters and verifies', async () => {
  const h = await hashPassword('correct battery horse staple');
  assert.match(h, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.equal(await verifyPassword(h, 'correct battery horse staple'), true);
  assert.equal(await verifyPassword(h, 'correct battery horse stapler'), false);
  assert.equal(await verifyPassword('not a hash', 'x'), false);
});

test('password policy: 12 characters or more, no common passwords or variants, nothing from the person', () => {
  assert.match(checkPasswordPolicy('short-pass1')!, /12 characters/);
  assert.match(checkPasswordPolicy('x'.repeat(129))!, /128/);
  for (const common of ['password1234', 'Password1234!', 'P@ssw0rd2026!', 'qwertyuiop123', '123456789012', 'Welcome2026!!', 'aaaaaaaaaaaaaaa', 'abcabcabcabc', 'Hollowmere2026!', 'iloveyou1234', 'Liverpool1892!']) {
    assert.ok(checkPasswordPolicy(common), `${common} refused`);
  }
  assert.match(checkPasswordPolicy('Priyanka.Patel.2026', ['priyanka.patel@police.example', 'Priyanka Patel'])!, /name/);
  for (const fine of ['lantern-meadow-harbour-42', 'correct battery horse staple', 'Tk9#vLq2!mZr', 'blue giraffe sings opera']) {
    assert.equal(checkPasswordPolicy(fine, ['sam@example.org', 'Sam Smith']), null, `${fine} accepted`);
  }
});
