/** Page numbers for lists shown a page at a time (`?page=`), and the links the Pagination component takes. */

/** Numbered page links are listed up to this many pages; beyond it only previous and next. */
const MAX_NUMBERED = 10;

/** A `?page=` value as a page number from 1 (anything that is not one is 1). */
export function pageNumber(asked: string | null): number {
  const n = Math.floor(Number(asked));
  return Number.isFinite(n) && n >= 1 ? n : 1;
}

/** The page a `?page=` value asks for among `total` items, clamped to the pages there are (at least one), and its slice. */
export function pageOf(total: number, asked: string | null, perPage: number): { page: number; pages: number; start: number; end: number } {
  const pages = Math.max(1, Math.ceil(total / perPage));
  const page = Math.min(pages, pageNumber(asked));
  return { page, pages, start: (page - 1) * perPage, end: Math.min(total, page * perPage) };
}

/** Previous, next and (for a few pages) numbered links for the Pagination component; nothing for a single page. */
export function paginationLinks(page: number, pages: number, href: (n: number) => string) {
  return {
    previous: page > 1 ? { href: href(page - 1) } : undefined,
    next: page < pages ? { href: href(page + 1) } : undefined,
    items: pages > 1 && pages <= MAX_NUMBERED ? Array.from({ length: pages }, (_, i) => ({ number: i + 1, href: href(i + 1), current: i + 1 === page })) : [],
  };
}
