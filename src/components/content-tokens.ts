/** {{token}} substitution in content, from the partnership's configuration. */
import type { Partnership } from '../platform/config/partnership.ts';
import { escapeHtml } from '../platform/html.ts';

/** The values each {{token}} in content/pages and content/advice stands for. */
export function contentTokens(p: Partnership): Record<string, string> {
  return {
    name: p.name,
    shortName: p.shortName,
    council: p.council,
    email: p.email,
    emergency: p.phones.emergency.number,
    nonEmergency: p.phones.nonEmergency.number,
    crimestoppers: p.phones.crimestoppers.number,
    hotline: p.phones.hotline.number,
    hotlineHours: p.phones.hotline.hours,
    textRelay: p.phones.hotline.textRelay,
  };
}

/** Replace {{token}} in text (or in HTML when html is true, escaping the values); unknown tokens are left as they are. */
export function fillTokens(text: string, p: Partnership, html = false): string {
  const tokens = contentTokens(p);
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => {
    const value = tokens[key];
    if (value === undefined) return whole;
    return html ? escapeHtml(value) : value;
  });
}
