/** The <title>: whole when it fits in 70 characters, else the page's own title shortened at a word, the prefix and the site kept. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { documentTitle, MAX_TITLE_LENGTH } from '../../src/web/document-title.ts';

test('a title that fits is whole; a longer one is shortened at a word, keeping the error prefix and the site', () => {
  assert.equal(documentTitle('', 'Report a problem', 'Hollowmere CSP'), 'Report a problem - Hollowmere CSP');
  const long = documentTitle('Error: ', 'Achievement: Versioned story about Windle Green', 'Hollowmere CSP');
  assert.ok(long.length <= MAX_TITLE_LENGTH, long);
  assert.equal(long, 'Error: Achievement: Versioned story about Windle… - Hollowmere CSP');
  const oneWord = documentTitle('', 'x'.repeat(200), 'Hollowmere CSP');
  assert.equal(oneWord.length, MAX_TITLE_LENGTH);
  assert.match(oneWord, /^x+… - Hollowmere CSP$/);
  assert.equal(documentTitle('', 'A', 'S'.repeat(80)).length, MAX_TITLE_LENGTH, 'even a site name too long for the rule');
});
