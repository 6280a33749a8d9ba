/**
 * The largest request body each route accepts, in bytes, enforced by the server module before Astro reads
 * or parses anything: a declared Content-Length over the limit gets 413 at once, and a chunked body is
 * counted as it streams and refused as soon as it passes the limit.
 *
 * Text limits allow the worst case of URL encoding: a 5,000-character answer of 3-byte characters is
 * 45,000 bytes once each byte becomes %XX.
 */

import { MAX_FORM_FIELDS } from '../platform/forms/index.ts';

const KB = 1024;
const MB = 1024 * KB;

/** One row: a path (exact, or a prefix when it ends with '/') and its limit; `fields` where it takes more than MAX_FORM_FIELDS. First match wins. */
export interface BodyLimit {
  path: string;
  bytes: number;
  fields?: number;
}

/** The table, most specific first. */
export const BODY_LIMITS: readonly BodyLimit[] = [
  // Up to 3 photos of 10 MB each, plus the multipart framing and the other fields.
  { path: '/report/photos', bytes: 31 * MB },
  // A partner's referral update: the text and one document of up to 10 MB, plus the multipart framing.
  { path: '/staff/referrals/', bytes: 11 * MB },
  // Publishing: an achievement's form with one image of up to 10 MB, plus the multipart framing and the text (the
  // page itself holds every other publishing form to 64 kB: src/web/publishing/editor.ts).
  { path: '/staff/publishing/', bytes: 11 * MB },
  // The call screen: several long answers (what happened, information, notes) in one form.
  { path: '/staff/calls/new', bytes: 256 * KB },
  // The case page: reply, note and the triage fields in one form.
  { path: '/staff/cases/', bytes: 128 * KB },
  // The queue: bulk actions name up to 500 cases and may carry a reply.
  { path: '/staff/queue', bytes: 128 * KB },
  // Short forms: e-mail, password, code, reference.
  { path: '/staff/sign-in', bytes: 8 * KB },
  { path: '/staff/sign-out', bytes: 8 * KB },
  { path: '/staff/two-factor', bytes: 8 * KB },
  { path: '/staff/forgot-password', bytes: 8 * KB },
  { path: '/staff/reset-password/', bytes: 8 * KB },
  { path: '/staff/accept-invite/', bytes: 8 * KB },
  { path: '/track', bytes: 8 * KB },
  // The report steps and feedback: one 5,000-character answer at most.
  { path: '/report/', bytes: 64 * KB },
  { path: '/feedback', bytes: 64 * KB },
  // Open311 POST requests: a 4,000-character description plus contact details and attributes.
  { path: '/open311/', bytes: 64 * KB },
  // Track case (add information: 5,000 characters).
  { path: '/track/', bytes: 64 * KB },
  // Consultation pages (/consultations/<slug>/respond and the rest): one survey section a page, whose free-text answers
  // may allow 12,000 characters between them (108,000 bytes) beside up to 200 other fields; SECTION_BODY_BYTES in
  // src/domains/consultations/survey.ts works it out, and a unit test keeps the two equal.
  { path: '/consultations/', bytes: 160 * KB },
  // Staff keying in a paper, phone or meeting response: every section on one page (KEY_IN_BODY_BYTES in
  // src/domains/consultations/survey.ts, 20 sections of 160 KB; the page's form reader uses it too).
  // Its fields: 20 sections of 200 (KEY_IN_FIELDS there).
  { path: '/staff/consultations/', bytes: 3200 * KB, fields: 4000 },
];

/** Any other route: a small text form. */
export const DEFAULT_BODY_LIMIT = 32 * KB;

/** The largest limit in the table (the adapter's global bodySizeLimit should match it). */
export const LARGEST_BODY_LIMIT = Math.max(DEFAULT_BODY_LIMIT, ...BODY_LIMITS.map((l) => l.bytes));

/** The body limit in bytes for a request path (no query string). */
export function bodyLimitFor(path: string): number {
  return limitRowFor(path)?.bytes ?? DEFAULT_BODY_LIMIT;
}

/** The table's first row for a request path (no query string), or undefined for a route it does not list. */
function limitRowFor(path: string): BodyLimit | undefined {
  return BODY_LIMITS.find((row) => (row.path.endsWith('/') ? path.startsWith(row.path) : path === row.path || path === `${row.path}/`));
}

/** The most form fields a request path may send (no query string): MAX_FORM_FIELDS unless its row says more. */
export function fieldLimitFor(path: string): number {
  return limitRowFor(path)?.fields ?? MAX_FORM_FIELDS;
}

/** How many fields a form body holds, counted on the raw bytes without parsing: '&'-separated pairs, or multipart parts. */
export function countFormFields(body: Buffer, contentType: string): number {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'multipart/form-data') {
    const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
    if (!boundary) return 0;
    const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
    let delimiters = 0;
    for (let at = body.indexOf(delimiter); at !== -1; at = body.indexOf(delimiter, at + delimiter.length)) delimiters++;
    // The last delimiter closes the body rather than opening a part.
    return Math.max(0, delimiters - 1);
  }
  if (body.length === 0) return 0;
  let pairs = 1;
  for (let at = body.indexOf(0x26); at !== -1; at = body.indexOf(0x26, at + 1)) pairs++;
  return pairs;
}
