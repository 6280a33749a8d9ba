/** Case tags: free words an officer adds to group cases, kept in one form so a filter finds what was added. */

/** A tag as stored: lower case, words joined by hyphens, at most 40 characters ("Fly Tipping!" is "fly-tipping"). */
export function normaliseTag(tag: string): string {
  return tag.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
}
