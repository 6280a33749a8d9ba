import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { loadRoles, parseRoles } from '../../src/domains/identity/roles.ts';

test('content/config/roles.json loads: seven roles, two-factor per role, partner officers bound to an agency, district officers and district editors to a district', () => {
  const roles = loadRoles('content');
  assert.deepEqual([...roles.keys()].sort(), ['administrator', 'call_handler', 'district_editor', 'district_officer', 'editor', 'partner_officer', 'triage_officer']);
  assert.equal(roles.get('district_editor')!.bindsDistrict, true);
  assert.deepEqual(roles.get('district_editor')!.permissions, ['publish', 'advice.read']);
  assert.equal(roles.get('district_officer')!.bindsDistrict, true);
  assert.equal(roles.get('district_officer')!.bindsAgency, false);
  assert.equal(roles.get('triage_officer')!.bindsDistrict, false);
  assert.equal(roles.get('administrator')!.twoFactorRequired, true);
  assert.equal(roles.get('triage_officer')!.twoFactorRequired, true);
  assert.equal(roles.get('call_handler')!.twoFactorRequired, false);
  assert.equal(roles.get('partner_officer')!.twoFactorRequired, true, 'partner officers use two-factor by default');
  assert.equal(roles.get('partner_officer')!.bindsAgency, true);
  assert.deepEqual(roles.get('partner_officer')!.permissions, ['referral.partner', 'insight.view']);
  assert.ok(!roles.get('call_handler')!.permissions.includes('pii.view'));
  assert.ok(roles.get('administrator')!.permissions.includes('admin.users'));
});

test('a typo in a permission, a missing flag or no administrator role stops start-up with a message that names it', () => {
  const good = JSON.parse(readFileSync('content/config/roles.json', 'utf8'));
  const typo = structuredClone(good);
  typo.editor.permissions.push('pubish');
  assert.throws(() => parseRoles(typo), /roles\.json: editor\.permissions\.\d+/);
  const noFlag = structuredClone(good);
  delete noFlag.editor.twoFactorRequired;
  assert.throws(() => parseRoles(noFlag), /editor\.twoFactorRequired/);
  const noAdmin = structuredClone(good);
  delete noAdmin.administrator;
  assert.throws(() => parseRoles(noAdmin), /admin\.users/);
  const both = structuredClone(good);
  both.partner_officer.bindsDistrict = true;
  assert.throws(() => parseRoles(both), /partner_officer: a role binds an agency or a district, not both/);
  const notBool = structuredClone(good);
  notBool.district_officer.bindsDistrict = 'yes';
  assert.throws(() => parseRoles(notBool), /district_officer\.bindsDistrict/);
});
