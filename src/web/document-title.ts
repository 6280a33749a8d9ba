/** The <title> of a page: what the page is, then the site, within what a browser tab and a search result show. */

/** The longest <title> (the HTML checks' long-title rule, and about what a search result shows). */
export const MAX_TITLE_LENGTH = 70;

/** "prefix + title - site", the title shortened with an ellipsis (at a word where it can) when the whole would be longer than `max`. */
export function documentTitle(prefix: string, title: string, site: string, max = MAX_TITLE_LENGTH): string {
  const whole = `${prefix}${title} - ${site}`;
  if (whole.length <= max) return whole;
  const room = max - prefix.length - site.length - 4; // " - " and the ellipsis
  if (room < 10) return whole.slice(0, max - 1) + '…';
  const cut = title.slice(0, room);
  const atWord = cut.lastIndexOf(' ');
  return `${prefix}${(atWord >= room / 2 ? cut.slice(0, atWord) : cut).trimEnd()}… - ${site}`;
}
