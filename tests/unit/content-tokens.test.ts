/** {{token}} substitution in content pages from the partnership configuration. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentTokens, fillTokens } from '../../src/components/content-tokens.ts';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';

const { partnership } = loadSiteConfig('content');

test('tokens come from the partnership configuration', () => {
  const t = contentTokens(partnership);
  assert.equal(t.hotline, '01632 960 000');
  assert.equal(t.name, 'Hollowmere Community Safety Partnership');
  assert.equal(t.nonEmergency, '101');
});

test('fillTokens replaces known tokens and leaves unknown ones', () => {
  assert.equal(fillTokens('Call {{hotline}} or {{ emergency }}. {{nope}}', partnership), 'Call 01632 960 000 or 999. {{nope}}');
});

test('fillTokens escapes values when filling HTML', () => {
  const p = { ...partnership, name: 'A & B <Partnership>' };
  assert.equal(fillTokens('<p>{{name}}</p>', p, true), '<p>A &amp; B &lt;Partnership&gt;</p>');
  assert.equal(fillTokens('{{name}}', p), 'A & B <Partnership>');
});

test('fillTokens uses the one HTML escape, which also escapes quotes for attribute values', () => {
  const p = { ...partnership, name: `O'Neill "Safer" Streets` };
  assert.equal(fillTokens(`<a title='{{name}}'>x</a>`, p, true), `<a title='O&#39;Neill &quot;Safer&quot; Streets'>x</a>`);
});
