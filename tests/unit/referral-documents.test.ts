/** Referral documents and district teams, the pure parts: the type sniffed from content, safe file names, and the scope of a district team. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { cleanFilename, isPlainText, sniffDocumentType } from '../../src/domains/referrals/documents.ts';
import { caseScope, canViewCase, districtsOf, isInDistrictTeam } from '../../src/domains/cases/policy.ts';

test('the document type comes from the content: PDF, PNG, JPEG and plain text pass; an EXE named anything and UTF-16 text do not', async () => {
  const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#fff' } }).png().toBuffer();
  const jpeg = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#fff' } }).jpeg().toBuffer();
  assert.deepEqual(await sniffDocumentType(Buffer.from('%PDF-1.7\n%%EOF')), { mime: 'application/pdf', ext: 'pdf' });
  assert.deepEqual(await sniffDocumentType(png), { mime: 'image/png', ext: 'png' });
  assert.deepEqual(await sniffDocumentType(jpeg), { mime: 'image/jpeg', ext: 'jpg' });
  assert.deepEqual(await sniffDocumentType(Buffer.from('Visit on Tuesday.\r\n\tNo answer — left a card.')), { mime: 'text/plain; charset=utf-8', ext: 'txt' });
  assert.equal(await sniffDocumentType(Buffer.from('MZ\x90\x00\x03\x00', 'latin1')), null);
  assert.equal(await sniffDocumentType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>\u0000')), null);
  assert.equal(isPlainText(Buffer.from('\xff\xfeh\x00i\x00', 'latin1')), false, 'UTF-16 is not taken as text');
});

test('a file name keeps no folders, quotes or control characters', () => {
  assert.equal(cleanFilename('C:\\Users\\x\\notes "final".pdf'), 'notes final.pdf');
  assert.equal(cleanFilename('../../etc/passwd'), 'passwd');
  assert.equal(cleanFilename('a\u0000b\nc.txt'), 'abc.txt');
  assert.equal(cleanFilename(''), 'document');
});

test('a district team limits what a triage or partner officer sees; no team is county-wide; a district officer\'s own district counts', () => {
  const triage = { permissions: ['case.read.all' as const], teamDistricts: ['brackenford', 'eastmere'] };
  assert.deepEqual(caseScope(triage), { kind: 'district', districtIds: ['brackenford', 'eastmere'] });
  assert.equal(canViewCase(triage, { districtId: 'eastmere', referredAgencyId: null }), true);
  assert.equal(canViewCase(triage, { districtId: 'thornwick', referredAgencyId: null }), false);
  assert.equal(canViewCase(triage, { districtId: null, referredAgencyId: null }), false);
  assert.deepEqual(caseScope({ permissions: ['case.read.all'] }), { kind: 'all' });
  const partner = { permissions: ['referral.partner' as const], bindsAgency: true, agencyId: 'police', teamDistricts: ['eastmere'] };
  assert.deepEqual(caseScope(partner), { kind: 'agency', agencyId: 'police', districtIds: ['eastmere'] });
  assert.equal(isInDistrictTeam(partner, { districtId: 'brackenford' }), false);
  assert.deepEqual(districtsOf({ permissions: [], bindsDistrict: true, districtId: 'brackenford', teamDistricts: ['eastmere', 'brackenford'] }), ['brackenford', 'eastmere']);
});
