/** Page numbers for lists shown a page at a time: clamped to the pages there are, with links only where they lead somewhere. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pageOf, paginationLinks } from '../../src/web/pagination.ts';

test('pageOf clamps the asked page to the pages there are and gives its slice', () => {
  assert.deepEqual(pageOf(45, '2', 20), { page: 2, pages: 3, start: 20, end: 40 });
  assert.deepEqual(pageOf(45, '3', 20), { page: 3, pages: 3, start: 40, end: 45 });
  for (const asked of ['9', '1e9']) assert.deepEqual(pageOf(45, asked, 20), { page: 3, pages: 3, start: 40, end: 45 }, asked);
  for (const asked of [null, '', '0', '-4', 'x', '1.9', 'Infinity']) assert.equal(pageOf(45, asked, 20).page, 1, String(asked));
  assert.deepEqual(pageOf(0, '5', 20), { page: 1, pages: 1, start: 0, end: 0 }, 'an empty list is one empty page');
});

test('paginationLinks: previous and next where they lead somewhere, numbers for up to ten pages', () => {
  const href = (n: number) => `/x?page=${n}`;
  assert.deepEqual(paginationLinks(1, 1, href), { previous: undefined, next: undefined, items: [] });
  const middle = paginationLinks(2, 3, href);
  assert.deepEqual([middle.previous?.href, middle.next?.href], ['/x?page=1', '/x?page=3']);
  assert.deepEqual(middle.items.map((i) => [i.number, i.current]), [[1, false], [2, true], [3, false]]);
  assert.equal(paginationLinks(5, 11, href).items.length, 0, 'past ten pages only previous and next');
});
