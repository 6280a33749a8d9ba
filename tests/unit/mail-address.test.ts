import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openTestDatabase } from '../helpers/db.ts';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';
import { checkedRecipient, isEmailAddress, parseEmailAddress, RecipientRefused } from '../../src/platform/mail/address.ts';
import { readStep } from '../../src/domains/reports/journey.ts';
import { readCallForm } from '../../src/domains/calls/form.ts';
import { classifyLookup } from '../../src/domains/calls/lookup.ts';
import { verifyTrackAccess } from '../../src/domains/reports/track.ts';
import { newUserStatement, normalizeEmail, UserRuleError } from '../../src/domains/identity/users.ts';
import { insertCase, insertReporter } from './cases-fixtures.ts';

const config = loadSiteConfig('content');
let cleanup: () => Promise<void>;
before(async () => ({ cleanup } = await openTestDatabase()));
after(() => cleanup());

/** A form with these fields. */
function form(fields: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return f;
}

/** An address of exactly `length` characters: a 64-character local part and a domain of labels up to 63. */
function addressOfLength(length: number): string {
  const domainLength = length - 65;
  const labels: string[] = [];
  let left = domainLength - 4; // ".org"
  while (left > 0) {
    const n = Math.min(63, left);
    labels.push('d'.repeat(n));
    left -= n + 1;
  }
  const domain = `${labels.join('.')}.org`;
  return `${'l'.repeat(64)}@${domain.slice(domain.length - domainLength)}`;
}

test('exactly one plain mailbox is accepted, normalised to lower case', () => {
  assert.equal(parseEmailAddress('kim@example.org'), 'kim@example.org');
  assert.equal(parseEmailAddress('  Kim.Smith+reports@Example.ORG  '), 'kim.smith+reports@example.org');
  assert.equal(parseEmailAddress("o'neill@council.gov.uk"), "o'neill@council.gov.uk");
  assert.equal(parseEmailAddress('a@b-c.co.uk'), 'a@b-c.co.uk');
  assert.equal(isEmailAddress('kim@example.org'), true);
});

test('a list, a display name, a group or a comment is refused, so mail can only go to the one mailbox typed', () => {
  for (const text of [
    'a,victim@example.org',
    'kim@example.org,victim@example.org',
    'kim@example.org;victim@example.org',
    'kim@example.org victim@example.org',
    'kim@example.org,',
    '"x" <y@z.org>',
    'x <y@z.org>',
    '<y@z.org>',
    'Friends: a@b.org, victim@example.org;',
    'undisclosed-recipients:;',
    'y@z.org (comment)',
    '(comment)y@z.org',
    'kim@example.org\r\nBcc: victim@example.org',
  ]) {
    assert.equal(parseEmailAddress(text), null, text);
  }
});

test('addresses without a dotted domain, with a malformed local part, or otherwise broken are refused', () => {
  for (const text of ['', ' ', 'a@b', 'a@localhost', 'kim', '@example.org', 'kim@', 'a@@b.org', 'a b@c.org', 'a.@b.org', '.a@b.org', 'a..b@c.org', 'a@b..org', 'a@-b.org', 'a@b.123', 'a@[127.0.0.1]', '"a,b"@c.org', '"kim smith"@example.org']) {
    assert.equal(parseEmailAddress(text), null, JSON.stringify(text));
  }
});

test('unicode: a non-ASCII local part is refused; an internationalised domain is kept in its ASCII form', () => {
  assert.equal(parseEmailAddress('josé@example.org'), null);
  assert.equal(parseEmailAddress('kim@bücher.example'), 'kim@xn--bcher-kva.example');
  assert.equal(parseEmailAddress('kim@exa\u0000mple.org'), null);
});

test('at most 254 characters: 254 is accepted, 255 is refused', () => {
  const longest = addressOfLength(254);
  assert.equal(longest.length, 254);
  assert.equal(parseEmailAddress(longest), longest);
  const tooLong = addressOfLength(255);
  assert.equal(tooLong.length, 255);
  assert.equal(parseEmailAddress(tooLong), null);
  assert.equal(parseEmailAddress(`${'l'.repeat(65)}@example.org`), null, 'local part over 64');
});

test('the last check before sending refuses anything but one mailbox', () => {
  assert.equal(checkedRecipient('Kim@Example.org'), 'kim@example.org');
  assert.throws(() => checkedRecipient('a,victim@example.org'), RecipientRefused);
  assert.throws(() => checkedRecipient('"x" <y@z.org>'), RecipientRefused);
});

test('the report contact step refuses a list of addresses and stores the normalised address', () => {
  const contact = { name: 'Kim', phone: '', preferredContact: 'email', consentShare: 'no' };
  const refused = readStep('contact', form({ ...contact, email: 'a,victim@example.org' }), { privacy: 'named' }, config);
  assert.deepEqual(refused.errors.map((e) => e.field), ['email']);
  const accepted = readStep('contact', form({ ...contact, email: ' Kim@Example.ORG ' }), { privacy: 'named' }, config);
  assert.deepEqual(accepted.errors, []);
  assert.equal(accepted.answers.email, 'kim@example.org');
});

test('the call screen refuses a list of addresses for the caller and looks up only one mailbox', () => {
  const r = readCallForm(form({ reason: 'new-report', callerEmail: 'a,victim@example.org' }), config, [], Date.now());
  assert.ok(r.errors.some((e) => e.field === 'callerEmail'));
  assert.deepEqual(classifyLookup('Kim@Example.org', 'HM'), { kind: 'email', value: 'kim@example.org' });
  assert.equal(classifyLookup('"x" <kim@example.org>', 'HM'), null);
});

test('/track accepts the e-mail given in any case, and refuses a list that contains it', async () => {
  const reporterId = await insertReporter({ email: 'track.me@example.org' });
  const c = await insertCase({ reporterId });
  assert.equal(await verifyTrackAccess(c.ref, { email: ' Track.Me@Example.ORG ' }), c.id);
  assert.equal(await verifyTrackAccess(c.ref, { email: 'x@example.org,track.me@example.org' }), null);
  assert.equal(await verifyTrackAccess(c.ref, { email: 'X <track.me@example.org>' }), null);
});

test('staff invitations and sign-in keys use the same parser', async () => {
  await assert.rejects(newUserStatement({ email: 'a,victim@example.org', name: 'New Person', role: 'triage_officer' }), (e: unknown) => e instanceof UserRuleError && e.field === 'email');
  const { user } = await newUserStatement({ email: 'New.Person@Council.Example', name: 'New Person', role: 'triage_officer' });
  assert.equal(user.email, 'new.person@council.example');
  assert.equal(normalizeEmail(' New.Person@Council.Example '), 'new.person@council.example');
  assert.equal(normalizeEmail('a,New.Person@Council.Example'), 'a,new.person@council.example', 'not an address: a key that matches no user');
});
