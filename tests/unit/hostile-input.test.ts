/** Pure helpers behind the server's answers to hostile input: redirect targets, body limits, log lines, loopback. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { safeLocalPath, safeLocation, safeQueryString } from '../../src/web/redirects.ts';
import { bodyLimitFor, countFormFields, DEFAULT_BODY_LIMIT, fieldLimitFor, LARGEST_BODY_LIMIT } from '../../src/server/body-limits.ts';
import { KEY_IN_BODY_BYTES, KEY_IN_FIELDS, SECTION_BODY_BYTES, SECTION_FIELDS, SECTION_TEXT_CHARACTERS } from '../../src/domains/consultations/index.ts';
import { MAX_FORM_FIELDS } from '../../src/platform/forms/index.ts';
import { describeError, routeOf } from '../../src/platform/log.ts';
import { isLoopbackAddress } from '../../src/web/health.ts';

test('safeLocalPath keeps same-site paths under the prefix, ASCII-encoded, and refuses everything else', () => {
  assert.equal(safeLocalPath('/staff/queue?status=new', '/staff', '/staff'), '/staff/queue?status=new');
  assert.equal(safeLocalPath('/staff/\u00e9', '/staff', '/staff'), '/staff/%C3%A9');
  for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example/staff', '/staff\r\nX: 1', '/staff\u0000', '/staff\\x', 'staff', '/staffroom', '', null, undefined]) {
    assert.equal(safeLocalPath(bad, '/staff', '/staff'), '/staff', JSON.stringify(bad));
  }
});

test('safeQueryString re-encodes a query string and drops one with control characters', () => {
  assert.equal(safeQueryString('?status=new&q=\u00e9'), '?status=new&q=%C3%A9');
  assert.equal(safeQueryString('?q=a%0d%0ab'), '');
  assert.equal(safeQueryString('//evil.example'), '');
  assert.equal(safeQueryString(''), '');
});

test('safeLocation leaves ASCII locations alone and makes others sendable', () => {
  assert.equal(safeLocation('/report/check'), '/report/check');
  assert.equal(safeLocation('https://www.bbc.co.uk/weather'), 'https://www.bbc.co.uk/weather');
  assert.equal(safeLocation('/track?q=\u00e9'), '/track?q=%C3%A9');
  assert.equal(safeLocation('//evil.example/\u00e9'), '/');
});

test('body limits: photos get the most, sign-in little, anything unknown the default', () => {
  assert.equal(bodyLimitFor('/report/photos'), LARGEST_BODY_LIMIT);
  assert.ok(bodyLimitFor('/report/description') >= 5000 * 9, 'room for 5,000 URL-encoded 3-byte characters');
  assert.ok(bodyLimitFor('/staff/sign-in') <= 8 * 1024);
  assert.ok(bodyLimitFor('/staff/cases/HM-7K3M-9QX4') > bodyLimitFor('/feedback'));
  assert.equal(bodyLimitFor('/somewhere-else'), DEFAULT_BODY_LIMIT);
  assert.equal(bodyLimitFor('/consultations/feeling-safe/respond'), SECTION_BODY_BYTES, 'a consultation section page gets the size its survey builder allows');
  assert.ok(SECTION_BODY_BYTES >= SECTION_TEXT_CHARACTERS * 9 + MAX_FORM_FIELDS * 200, 'room for every free-text character URL-encoded and 200 other fields');
  assert.equal(bodyLimitFor('/staff/consultations/abc/respond'), KEY_IN_BODY_BYTES, 'keying in a whole response gets every section\'s worth');
  assert.ok(LARGEST_BODY_LIMIT >= 3 * 10 * 1024 * 1024);
});

test('field limits: every form takes MAX_FORM_FIELDS, a section page its builder\'s fields and the form\'s own, keying in a whole response every section\'s', () => {
  assert.equal(fieldLimitFor('/report/description'), MAX_FORM_FIELDS);
  assert.equal(fieldLimitFor('/somewhere-else'), MAX_FORM_FIELDS);
  assert.equal(fieldLimitFor('/consultations/feeling-safe/respond'), MAX_FORM_FIELDS);
  assert.ok(SECTION_FIELDS < MAX_FORM_FIELDS, 'a section\'s questions leave room for the page\'s own fields');
  assert.equal(fieldLimitFor('/staff/consultations/abc/respond'), KEY_IN_FIELDS, 'the server and the page agree');
  assert.ok(KEY_IN_FIELDS >= 20 * MAX_FORM_FIELDS, 'every section\'s worth');
});

test('form fields are counted on the raw body: URL-encoded pairs and multipart parts', () => {
  assert.equal(countFormFields(Buffer.from(''), 'application/x-www-form-urlencoded'), 0);
  assert.equal(countFormFields(Buffer.from('a=1'), 'application/x-www-form-urlencoded'), 1);
  assert.equal(countFormFields(Buffer.from('a=1&b=2&a=3'), 'application/x-www-form-urlencoded; charset=utf-8'), 3);
  const multipart = '--B\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--B\r\nContent-Disposition: form-data; name="b"\r\n\r\n2&3\r\n--B--\r\n';
  assert.equal(countFormFields(Buffer.from(multipart), 'multipart/form-data; boundary=B'), 2);
  assert.equal(countFormFields(Buffer.from(multipart.replaceAll('--B', '--q')), 'multipart/form-data; boundary="q"'), 2, 'a quoted boundary');
  assert.equal(countFormFields(Buffer.from(multipart), 'multipart/form-data'), 0, 'no boundary: nothing to count (the parser refuses it)');
});

test('log helpers: tokens in paths and personal data in errors are left out', () => {
  assert.equal(routeOf('/staff/reset-password/abcdefghijklmnopqrstuvwxyz234567?x=1'), '/staff/reset-password/:id');
  assert.equal(routeOf('/report/category'), '/report/category');
  const error = new Error('Failed query: select * from users where email = ?\nparams: jo@example.com', { cause: new Error('SQLITE_ERROR: no such table: users') });
  const line = describeError(error);
  assert.match(line, /^Error: Failed query: .* \(cause: Error: SQLITE_ERROR: no such table: users\)$/);
  assert.doesNotMatch(line, /jo@example\.com/);
  assert.equal(describeError(new Error('mail to jo@example.com on 07700 900123 failed')), 'Error: mail to [email] on [number] failed');
});

test('loopback addresses are recognised, others are not', () => {
  for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) assert.equal(isLoopbackAddress(a), true, a);
  for (const a of ['192.0.2.2', '::ffff:192.0.2.2', 'fd00::2', '', null, undefined, '1270.0.0.1']) assert.equal(isLoopbackAddress(a), false, String(a));
});
