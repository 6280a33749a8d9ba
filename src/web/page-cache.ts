/**
 * The cache of public pages, per process, per page and language. Only anonymous GETs of pages that do not depend
 * on the visitor are kept: a request with a staff session cookie (or, on a consultation's page, a draft cookie)
 * is always rendered, and a response that is not 200, sets a cookie or is over ENTRY_MAX_BYTES is never kept.
 *
 * Freshness. Every entry belongs to the content generation it was rendered under (publishing: a publish,
 * schedule or unpublish in any process moves it) and ends at the next scheduled publish. The generation is read
 * from the database at most once every GENERATION_CHECK_MS, never per hit, and at once after this process
 * handled a POST (the middleware calls markPagesStale before answering it), so another process's publish shows here
 * within GENERATION_CHECK_MS and this process's own at once. Live pages, which also show what the publishing
 * generation does not track (statistics, consultations, meetings, and the area pages that list them), are kept at
 * most LIVE_TTL_MS, and dropped after any POST to this process: a change made through another process shows within
 * LIVE_TTL_MS, as do a consultation opening or closing by the clock and a new month of statistics. Markdown pages,
 * advice and the report start page change only with a build (and are keyed on the generation like the rest).
 *
 * A hit is answered by the server module (src/server/entry.ts) before Astro's pipeline and the session load;
 * the middleware renders and stores misses. Hits and misses carry the same headers: the security headers, ETag
 * (a hash of the body; If-None-Match gets 304), `Vary: Cookie` and `Content-Language`. Memory is bounded by
 * MAX_ENTRIES and MAX_BYTES, least recently used first out.
 */
import { createHash } from 'node:crypto';
import { readGeneration } from '../domains/publishing/index.ts';
import { resolveLanguage } from '../platform/i18n/index.ts';
import { LANGUAGE_COOKIE } from './language.ts';

/** How often, at most, a process reads the content generation (the bound on another process's publish showing here). */
export const GENERATION_CHECK_MS = 250;
/** How long a page showing statistics, consultations or meetings is kept. */
export const LIVE_TTL_MS = 60_000;
/** Bounds on the cache's memory. */
const MAX_ENTRIES = 500;
const MAX_BYTES = 32 * 1024 * 1024;
const ENTRY_MAX_BYTES = 1024 * 1024;

/** Pages whose content only the build and the publishing generation change. */
const STABLE = [
  /^\/$/, /^\/(about|contact|privacy|accessibility|cookies)$/, /^\/report$/, /^\/advice(\/[a-z0-9-]+)?$/,
  /^\/news(\/[^/]+)?$/, /^\/initiatives(\/[^/]+)?$/, /^\/(improvement-plan|value-for-money|priorities|structure)$/,
  /^\/feeds\/(news|areas\/[^/]+)\.(rss|atom)$/, /^\/sitemap\.xml$/, /^\/easy-read(\/report|\/advice\/[a-z0-9-]+)?$/,
];
/** Pages that also show statistics, consultations or meetings: kept at most LIVE_TTL_MS. */
const LIVE = [/^\/areas(\/[^/]+)?$/, /^\/statistics(\/perception|\/data\.csv|\/data\.json)?$/, /^\/consultations(\/[^/]+)?$/, /^\/feeds\/meetings\.ics$/];
/** Pages that show a visitor's own draft when they hold this cookie. */
const DRAFT_COOKIES: [RegExp, string][] = [[/^\/consultations\/[^/]+$/, 'consultation_draft']];

/** A page as kept and as answered. */
export interface CachedPage {
  status: number;
  headers: [string, string][];
  body: Buffer;
}

interface Entry {
  generation: number;
  validUntil: number;
  /** A live page (kept at most LIVE_TTL_MS). */
  live: boolean;
  headers: [string, string][];
  body: Buffer;
  etag: string;
}

const entries = new Map<string, Entry>();
let bytes = 0;

/** The last generation read, when the read started, and a count of invalidations to spot a read overtaken by one. */
let known = { generation: -1, nextPublishAt: null as number | null, checkedAt: Number.NEGATIVE_INFINITY };
let staleMarks = 0;
let checking: Promise<void> | null = null;

/** The raw (undecoded) value of one cookie in a Cookie header, or undefined. */
export function readCookie(cookieHeader: string | null | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The request's language, resolved as the middleware resolves it (src/web/language.ts): `?lang=`, else the `lang` cookie, else English. */
export function languageOfRequest(url: URL, cookieHeader: string | null | undefined): string {
  const asked = url.searchParams.get('lang');
  return resolveLanguage(asked ?? readCookie(cookieHeader, LANGUAGE_COOKIE));
}

/** How long a page may be kept: Infinity for stable pages, LIVE_TTL_MS for live ones, null when it is never cached. */
export function pageLifetime(pathname: string): number | null {
  if (STABLE.some((re) => re.test(pathname))) return Number.POSITIVE_INFINITY;
  if (LIVE.some((re) => re.test(pathname))) return LIVE_TTL_MS;
  return null;
}

/**
 * True when an anonymous GET of this page may come from the cache: no staff session, no draft of the visitor's
 * own, and no `?lang=` (choosing a language sets the cookie).
 */
export function isCacheable(method: string, url: URL, cookieHeader: string | null | undefined): boolean {
  const pathname = url.pathname;
  if (method !== 'GET' || pageLifetime(pathname) === null || url.searchParams.has('lang')) return false;
  if (readCookie(cookieHeader, 'session') !== undefined) return false;
  return !DRAFT_COOKIES.some(([re, name]) => re.test(pathname) && readCookie(cookieHeader, name) !== undefined);
}

/** The cache key: path, query and language. */
function keyOf(url: URL, cookieHeader: string | null | undefined): string {
  return `${url.pathname}${url.search}\n${languageOfRequest(url, cookieHeader)}`;
}

/**
 * After this process changed something: the next request reads the generation, and the live pages (statistics,
 * consultations, meetings), which the generation does not track, are dropped, so this process shows its own change at once.
 */
export function markPagesStale(): void {
  staleMarks += 1;
  known = { ...known, checkedAt: Number.NEGATIVE_INFINITY };
  for (const [key, entry] of entries) if (entry.live) forget(key);
}

/** The content generation, read from the database at most once every GENERATION_CHECK_MS (concurrent callers share a read). */
async function currentGeneration(now: number): Promise<typeof known> {
  if (now - known.checkedAt < GENERATION_CHECK_MS) return known;
  checking ??= (async () => {
    const startedAt = now;
    const marks = staleMarks;
    try {
      const read = await readGeneration();
      known = { ...read, checkedAt: marks === staleMarks ? startedAt : Number.NEGATIVE_INFINITY };
    } finally {
      checking = null;
    }
  })();
  await checking;
  return known;
}

/** The answer to a request from an entry: 304 when If-None-Match names its ETag, else the page. */
function answerOf(entry: Entry, ifNoneMatch: string | null | undefined, state: 'hit' | 'miss'): CachedPage {
  const headers: [string, string][] = [...entry.headers, ['x-content-cache', state]];
  if (ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim() === entry.etag)) return { status: 304, headers: headers.filter(([k]) => k !== 'content-length'), body: Buffer.alloc(0) };
  return { status: 200, headers, body: entry.body };
}

/** The answer from the cache for an anonymous GET, or null when it must be rendered. */
export async function lookupPage(method: string, url: URL, cookieHeader: string | null | undefined, ifNoneMatch: string | null | undefined, now = Date.now()): Promise<CachedPage | null> {
  if (!isCacheable(method, url, cookieHeader)) return null;
  const key = keyOf(url, cookieHeader);
  const fresh = entries.has(key) ? await findFresh(key, now) : undefined;
  if (fresh) return answerOf(fresh, ifNoneMatch, 'hit');
  // The same page being rendered for another request: wait for that render (up to RENDER_WAIT_MS) rather than render it again.
  const pending = rendering.get(key);
  if (!pending) return null;
  await Promise.race([pending.done, new Promise((r) => setTimeout(r, RENDER_WAIT_MS).unref())]);
  const rendered = entries.has(key) ? await findFresh(key, now) : undefined;
  return rendered ? answerOf(rendered, ifNoneMatch, 'hit') : null;
}

/** The entry for a key when it is still valid (marked most recently used); a stale one is dropped. */
async function findFresh(key: string, now: number): Promise<Entry | undefined> {
  const { generation } = await currentGeneration(now);
  const entry = entries.get(key);
  if (!entry) return undefined;
  if (entry.generation !== generation || now >= entry.validUntil) {
    forget(key);
    return undefined;
  }
  entries.delete(key);
  entries.set(key, entry);
  return entry;
}

/** Drop an entry. */
function forget(key: string): void {
  const entry = entries.get(key);
  if (!entry) return;
  bytes -= entry.body.length;
  entries.delete(key);
}

/** What a render needs to be stored: the generation and validity it was rendered under (read before rendering). */
export interface RenderTicket {
  key: string;
  generation: number;
  validUntil: number;
  live: boolean;
  /** Set when this render is the one others wait for: call it when the render is done (endRender). */
  finish?: () => void;
}

/** Renders in progress, by key, that requests for the same page wait for (so a burst on an expired page renders once). */
const rendering = new Map<string, { done: Promise<void> }>();
/** How long a request waits for another's render of the same page before rendering it itself. */
const RENDER_WAIT_MS = 5_000;

/** Mark a render done (stored or not), releasing the requests that wait for it. */
export function endRender(ticket: RenderTicket): void {
  ticket.finish?.();
}

/** Read the generation before rendering a cacheable page, so a publish during the render leaves the entry stale. */
export async function startRender(url: URL, cookieHeader: string | null | undefined, now = Date.now()): Promise<RenderTicket> {
  const key = keyOf(url, cookieHeader);
  // Registered before the generation is read, so that requests arriving meanwhile wait for this render.
  let finish: (() => void) | undefined;
  if (!rendering.has(key)) {
    let release = () => {};
    const pending = { done: new Promise<void>((r) => (release = r)) };
    rendering.set(key, pending);
    finish = () => {
      if (rendering.get(key) === pending) rendering.delete(key);
      release();
    };
  }
  try {
    const { generation, nextPublishAt } = await currentGeneration(now);
    const lifetime = pageLifetime(url.pathname) ?? 0;
    return { key, generation, validUntil: Math.min(nextPublishAt ?? Number.POSITIVE_INFINITY, now + lifetime), live: Number.isFinite(lifetime), finish };
  } catch (error) {
    finish?.();
    throw error;
  }
}

/**
 * Keep a rendered page (its final headers, security headers included) when it may be kept, and return the answer:
 * the same headers a hit gets, or the response untouched when it is not kept (not 200, sets a cookie, too large).
 */
export async function storePage(ticket: RenderTicket, response: Response, ifNoneMatch: string | null | undefined, setsCookie: boolean): Promise<Response> {
  if (response.status !== 200 || setsCookie || response.headers.has('set-cookie') || response.body === null) return response;
  const body = Buffer.from(await response.arrayBuffer());
  if (body.length > ENTRY_MAX_BYTES) return new Response(new Uint8Array(body), { status: response.status, headers: response.headers });
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  const headers = new Headers(response.headers);
  headers.delete('Strict-Transport-Security');
  if (!headers.has('Cache-Control')) headers.set('Cache-Control', 'no-cache');
  headers.set('ETag', etag);
  headers.set('Vary', 'Cookie');
  headers.set('Content-Language', ticket.key.slice(ticket.key.lastIndexOf('\n') + 1));
  headers.set('Content-Length', String(body.length));
  const entry: Entry = { generation: ticket.generation, validUntil: ticket.validUntil, live: ticket.live, headers: [...headers], body, etag };
  forget(ticket.key);
  entries.set(ticket.key, entry);
  bytes += body.length;
  evictOverflow();
  const answer = answerOf(entry, ifNoneMatch, 'miss');
  const out = new Headers(answer.headers);
  if (response.headers.has('Strict-Transport-Security')) out.set('Strict-Transport-Security', response.headers.get('Strict-Transport-Security')!);
  return new Response(answer.status === 304 ? null : new Uint8Array(answer.body), { status: answer.status, headers: out });
}

/** Drop the least recently used entries until the cache is within MAX_ENTRIES and MAX_BYTES. */
function evictOverflow(): void {
  for (const key of entries.keys()) {
    if (entries.size <= MAX_ENTRIES && bytes <= MAX_BYTES) return;
    forget(key);
  }
}

/** How many entries and bytes the cache holds (for tests and the health of the process). */
export function measureCache(): { entries: number; bytes: number } {
  return { entries: entries.size, bytes };
}
