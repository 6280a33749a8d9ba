/** Reply templates with {{placeholders}}: built-in defaults, overridable by content/config/reply-templates.json. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One reply template. */
export interface ReplyTemplate {
  id: string;
  name: string;
  body: string;
}

/** The placeholders a template may use. */
export const PLACEHOLDERS = ['ref', 'reporterName', 'category', 'status', 'officerName', 'partnership', 'trackUrl'] as const;

/** Values for the placeholders. */
export type PlaceholderValues = Partial<Record<(typeof PLACEHOLDERS)[number], string>>;

const DEFAULTS: ReplyTemplate[] = [
  { id: 'acknowledge', name: 'We are looking at it', body: 'Dear {{reporterName}},\n\nThank you for your report {{ref}} about {{category}}. An officer is looking at it now and we will update you within the times we promise.\n\n{{officerName}}\n{{partnership}}' },
  { id: 'more-information', name: 'We need more information', body: 'Dear {{reporterName}},\n\nTo help us with your report {{ref}}, please tell us more: when it happens, where exactly, and how it affects you. You can reply on the tracking page: {{trackUrl}}\n\n{{officerName}}\n{{partnership}}' },
  { id: 'referred', name: 'Passed to a partner', body: 'Dear {{reporterName}},\n\nWe have passed your report {{ref}} to the partner agency best placed to deal with it. We will keep you updated.\n\n{{officerName}}\n{{partnership}}' },
  { id: 'resolved', name: 'Resolved', body: 'Dear {{reporterName}},\n\nWe have finished dealing with your report {{ref}}. If the problem comes back, please report it again and mention this reference.\n\n{{officerName}}\n{{partnership}}' },
  { id: 'emergency', name: 'Redirect to 999 or 101', body: 'Dear {{reporterName}},\n\nYour report {{ref}} needs the police. If anyone is in danger, call 999. Otherwise call 101, the police non-emergency number.\n\n{{partnership}}' },
];

let cached: ReplyTemplate[] | undefined;

/** The reply templates (file overrides replace the defaults when present). */
export function listReplyTemplates(contentDir = process.env.CONTENT_DIR ?? 'content'): ReplyTemplate[] {
  if (cached) return cached;
  const path = join(contentDir, 'config', 'reply-templates.json');
  cached = DEFAULTS;
  if (existsSync(path)) {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as ReplyTemplate[];
    if (Array.isArray(parsed) && parsed.every((t) => t && typeof t.id === 'string' && typeof t.name === 'string' && typeof t.body === 'string')) cached = parsed;
  }
  return cached;
}

/** Placeholder names used in a text that are not known placeholders. */
export function unknownPlaceholders(text: string): string[] {
  const found = [...text.matchAll(/\{\{\s*([a-zA-Z]+)\s*\}\}/g)].map((m) => m[1]!);
  return found.filter((name) => !(PLACEHOLDERS as readonly string[]).includes(name));
}

/** Fill the placeholders in a text; missing values become an empty string (reporterName becomes "resident"). */
export function fillPlaceholders(text: string, values: PlaceholderValues): string {
  return text.replace(/\{\{\s*([a-zA-Z]+)\s*\}\}/g, (whole, name: string) => {
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) return whole;
    const v = values[name as keyof PlaceholderValues];
    if (name === 'reporterName' && !v) return 'resident';
    return v ?? '';
  });
}
