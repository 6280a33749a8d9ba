/**
 * The thin path for "Send your report" (POST /report/check), taken by the server module before Astro: the
 * common case, a same-origin urlencoded POST of a complete, unsent draft with an empty honeypot, is counted,
 * stored and answered 303 here, with the same checks, the same form reading (readUrlencodedBody: readForm's limits and parse), the same send
 * (sendDraft) and the same answer as the page. Everything else goes to the Astro page untouched: no draft or an
 * unknown one, a draft already sent or not complete, a filled honeypot, a cross-site or proxied request (Astro's
 * origin check decides those), a multipart body, a query string. The case is stored in the language the page would
 * use (the `lang` cookie). A send that a rate limit refused was counted here, so the page
 * is told (locals.reportSendRefusedForMs) and shows the refusal without counting again.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readUrlencodedBody } from '../../platform/forms/index.ts';
import { resolveLanguage } from '../../platform/i18n/index.ts';
import { log } from '../../platform/log.ts';
import { firstIncompleteStep, isDraftId, loadDraft, type ReportAnswers } from '../../domains/reports/index.ts';
import { sendDraft } from './check.ts';
import { DRAFT_COOKIE, draftMaxAgeMs } from './flow.ts';
import { LANGUAGE_COOKIE } from '../language.ts';

/** The path the thin path answers. */
export const SEND_PATH = '/report/check';

/** What the thin path did: answered the request itself, or left it to Astro (with locals for the page). */
export type ThinSend = { answered: true } | { answered: false; locals?: Partial<App.Locals> };

const PASS: ThinSend = { answered: false };

/** The value of one cookie from a Cookie header (the first, as Astro reads it), or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * True only for a POST whose Origin is exactly the origin it was sent to (scheme of the connection, Host header)
 * and that no proxy forwarded: then Astro's origin check would pass it too. Anything else is Astro's to judge.
 */
export function isPlainSameOrigin(req: IncomingMessage): boolean {
  const h = req.headers;
  if (h['x-forwarded-host'] !== undefined || h['x-forwarded-proto'] !== undefined || h.forwarded !== undefined || !h.host) return false;
  const scheme = 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http';
  return h.origin === `${scheme}://${h.host}`;
}

/** Send the report without the Astro pipeline when the request is the common case; otherwise leave it to the page. */
export async function sendReportThin(req: IncomingMessage, res: ServerResponse, body: Buffer, clientAddress: string | null): Promise<ThinSend> {
  const started = performance.now();
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  // A query string (?lang= chooses the language and sets its cookie) is the page's to handle.
  if (req.url !== SEND_PATH || type !== 'application/x-www-form-urlencoded' || !isPlainSameOrigin(req)) return PASS;
  const id = cookieValue(req.headers.cookie, DRAFT_COOKIE);
  if (!isDraftId(id)) return PASS;
  const draft = await loadDraft<ReportAnswers>('report', id, draftMaxAgeMs());
  if (!draft || draft.caseId || firstIncompleteStep(draft.data)) return PASS;
  const read = readUrlencodedBody(body);
  if (!read.ok) return PASS;
  const website = read.form.get('website');
  if (typeof website === 'string' && website !== '') return PASS;
  // The language as the middleware works it out for a request without ?lang= (src/web/language.ts): the cookie, else English.
  const outcome = await sendDraft(draft, clientAddress, resolveLanguage(cookieValue(req.headers.cookie, LANGUAGE_COOKIE)));
  if (!outcome.sent) return { answered: false, locals: { reportSendRefusedForMs: outcome.retryAfterMs } };
  res.writeHead(303, { Location: '/report/confirmation', 'Cache-Control': 'no-store', 'Content-Length': '0' });
  res.end();
  log.info('request', { method: 'POST', path: SEND_PATH, status: 303, ms: Math.round((performance.now() - started) * 10) / 10, via: 'thin' });
  return { answered: true };
}
