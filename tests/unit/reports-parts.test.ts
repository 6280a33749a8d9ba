import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { checkCharacter, generateReference, parseReference, REFERENCE_ALPHABET } from '../../src/domains/reports/reference.ts';
import { normalisePostcode, wardForPlace, wardForPostcode } from '../../src/platform/uk/postcode.ts';
import { formatUkPhone, toE164 } from '../../src/platform/uk/phone.ts';
import { PhotoError, storePhoto } from '../../src/domains/reports/photos.ts';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';

const config = loadSiteConfig('content');

test('references are short, unambiguous and carry a check character', () => {
  for (let i = 0; i < 200; i++) {
    const ref = generateReference('HM');
    assert.match(ref, /^HM-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$/);
    assert.equal(parseReference(ref, 'HM'), ref);
    assert.equal(parseReference(ref.toLowerCase().replace(/-/g, ' '), 'HM'), ref, 'typed in lower case with spaces');
  }
});

test('a single mistyped character or a swap of neighbours is caught', () => {
  const ref = generateReference('HM');
  const compact = ref.replace(/^HM-/, '').replace('-', '');
  let caught = 0;
  let tried = 0;
  for (let i = 0; i < 8; i++) {
    for (const c of REFERENCE_ALPHABET) {
      if (c === compact[i]) continue;
      tried++;
      const typo = compact.slice(0, i) + c + compact.slice(i + 1);
      if (parseReference(typo, 'HM') === null) caught++;
    }
  }
  assert.equal(caught, tried, 'every single substitution is detected');
  for (let i = 0; i < 7; i++) {
    if (compact[i] === compact[i + 1]) continue;
    const swapped = compact.slice(0, i) + compact[i + 1] + compact[i] + compact.slice(i + 2);
    const body = swapped.slice(0, 7);
    if (checkCharacter(body) === swapped[7]) continue; // Luhn mod N misses a tiny set of swaps
    assert.equal(parseReference(swapped, 'HM'), null);
  }
  assert.equal(parseReference('HM-0000-0000', 'HM'), null, 'ambiguous characters are not references');
  assert.equal(parseReference('', 'HM'), null);
});

test('postcodes are validated, normalised and placed in a ward', () => {
  assert.equal(normalisePostcode(' hw1 2ab '), 'HW1 2AB');
  assert.equal(normalisePostcode('hw12ab'), 'HW1 2AB');
  assert.equal(normalisePostcode('SW1A1AA'), 'SW1A 1AA');
  assert.equal(normalisePostcode('HW1'), null);
  assert.equal(normalisePostcode('not a postcode'), null);
  assert.equal(wardForPostcode('HW1 2AB', config.gazetteer), 'brackenford-central');
  assert.equal(wardForPostcode('SW1A 1AA', config.gazetteer), null);
  assert.equal(wardForPlace('outside the chip shop on Quayside', config.gazetteer), 'eastmere-harbour');
  assert.equal(wardForPlace('somewhere', config.gazetteer), null);
});

test('UK phone numbers in any usual format become E.164', () => {
  assert.equal(toE164('01234 567890'), '+441234567890');
  assert.equal(toE164('(01234) 567-890'), '+441234567890');
  assert.equal(toE164('+44 (0)1234 567890'), '+441234567890');
  assert.equal(toE164('0044 1234 567890'), '+441234567890');
  assert.equal(toE164('07700 900982'), '+447700900982');
  assert.equal(toE164('+447700900982'), '+447700900982');
  assert.equal(toE164('12345'), null);
  assert.equal(toE164('+33 1 23 45 67 89'), null);
  assert.equal(toE164('call me'), null);
  assert.equal(formatUkPhone('+447700900982'), '07700 900982');
});

test('a photo carrying GPS metadata is stored without it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'saferline-photo-'));
  try {
    const withGps = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } })
      .jpeg()
      .withExif({ IFD0: { Make: 'SpyCam', Model: 'X1', Artist: 'Resident Name' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' } })
      .toBuffer();
    const before = await sharp(withGps).metadata();
    assert.ok(before.exif && before.exif.length > 0, 'fixture has EXIF');
    assert.ok(withGps.includes(Buffer.from('SpyCam')));
    const stored = await storePhoto(dir, withGps, 'street.jpg');
    const bytes = readFileSync(join(dir, stored.key));
    const after = await sharp(bytes).metadata();
    assert.equal(after.exif, undefined, 'no EXIF block');
    assert.equal(after.xmp, undefined, 'no XMP block');
    assert.equal(after.iptc, undefined, 'no IPTC block');
    assert.ok(!bytes.includes(Buffer.from('SpyCam')), 'camera make gone');
    assert.ok(!bytes.includes(Buffer.from('Resident Name')), 'artist gone');
    assert.ok(!bytes.includes(Buffer.from('Exif')), 'no Exif marker');
    assert.equal(stored.mime, 'image/jpeg');
    assert.equal(stored.width, 64);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a non-image named .jpg and an oversized file are refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'saferline-photo-'));
  try {
    await assert.rejects(storePhoto(dir, Buffer.from('<?php echo 1; ?>'), 'evil.jpg'), (e: Error) => e instanceof PhotoError && /must be a JPEG, PNG or WebP/.test(e.message));
    const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } }).gif().toBuffer();
    await assert.rejects(storePhoto(dir, gif, 'anim.png'), /must be a JPEG, PNG or WebP/);
    await assert.rejects(storePhoto(dir, new Uint8Array(10 * 1024 * 1024 + 1), 'big.jpg'), /smaller than 10MB/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
