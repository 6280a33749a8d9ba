import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatUkPhone, toE164 } from '../../src/platform/uk/phone.ts';

test('UK landlines in any usual format become E.164 and read back in national format', () => {
  for (const written of ['0161 496 0000', '01614960000', '(0161) 496 0000', '+44 161 496 0000', '+44 (0)161 496 0000', '0044 161 496 0000', '0161-496-0000', '  0161 496 0000  ']) {
    assert.equal(toE164(written), '+441614960000', written);
  }
  assert.equal(formatUkPhone('+441614960000'), '0161 496 0000');
  assert.equal(formatUkPhone(toE164('020 7946 0000')!), '020 7946 0000');
  assert.equal(formatUkPhone(toE164('(01632) 960000')!), '01632 960000');
  assert.equal(formatUkPhone(toE164('016977 3456')!), '016977 3456');
  assert.equal(formatUkPhone(toE164('0800 123 4567')!), '0800 123 4567');
});

test('UK mobiles in any usual format become E.164 and read back in national format', () => {
  for (const written of ['07700 900123', '07700900123', '+447700900123', '+44 7700 900123', '+44 (0) 7700 900 123', '0044 7700 900123', '447700900123', '07700.900.123']) {
    assert.equal(toE164(written), '+447700900123', written);
  }
  assert.equal(formatUkPhone('+447700900123'), '07700 900123');
});

test('numbers that cannot be UK numbers are refused', () => {
  for (const written of ['', '12345', '0161 496 00000', '0161 49', '+33 1 23 45 67 89', '0033 1 23 45 67 89', '+1 212 555 0100', 'call me', '07700 9OO123', '+44 7700 900123 ext 5', '0'.repeat(50)]) {
    assert.equal(toE164(written), null, written);
  }
});

test('a number from another country is shown in international format', () => {
  assert.equal(formatUkPhone('+12125550100'), '+1 212 555 0100');
  assert.equal(formatUkPhone('not a number'), 'not a number');
});
