/**
 * The cache of public publishing pages, per process. Each request reads the content generation (one small
 * query); a cached page is served while the generation is unchanged and no scheduled item has come due since it
 * was rendered. A publish, schedule or unpublish in any process sharing the database moves the generation, so
 * every process renders afresh. Responses carry an ETag of the generation, answered with 304 when it matches.
 * Only anonymous GETs of the listed paths are cached; signed-in staff always get a fresh page.
 */
import { createHash } from 'node:crypto';
import { readGeneration } from '../../domains/publishing/index.ts';

const CACHED = [/^\/$/, /^\/news(\/[^/]+)?$/, /^\/initiatives(\/[^/]+)?$/, /^\/(improvement-plan|value-for-money|priorities|structure)$/, /^\/areas(\/[^/]+)?$/, /^\/feeds\/.+$/, /^\/sitemap\.xml$/];
const MAX_ENTRIES = 500;

interface Entry {
  generation: number;
  validUntil: number;
  status: number;
  headers: [string, string][];
  body: ArrayBuffer;
  etag: string;
}

const entries = new Map<string, Entry>();

/** True when a request may be answered from the publishing cache. */
export function isCacheable(method: string, pathname: string, signedIn: boolean): boolean {
  return method === 'GET' && !signedIn && CACHED.some((re) => re.test(pathname));
}

/** A Response from a cache entry (304 when the client already holds it). */
function fromEntry(entry: Entry, request: Request, state: 'hit' | 'miss'): Response {
  const headers = new Headers(entry.headers);
  headers.set('ETag', entry.etag);
  headers.set('Cache-Control', 'no-cache');
  headers.set('X-Content-Cache', state);
  headers.set('Vary', 'Cookie');
  if (request.headers.get('if-none-match') === entry.etag) return new Response(null, { status: 304, headers });
  return new Response(entry.body.slice(0), { status: entry.status, headers });
}

/** Answer a public page from the cache, or render it with `render` and keep it for the current generation (per language). */
export async function serveCached(request: Request, url: URL, render: () => Promise<Response>, lang = 'en', now = Date.now()): Promise<Response> {
  const { generation, nextPublishAt } = await readGeneration();
  const key = `${lang} ${url.pathname}${url.search}`;
  const hit = entries.get(key);
  if (hit && hit.generation === generation && now < hit.validUntil) return fromEntry(hit, request, 'hit');
  const response = await render();
  if (response.status !== 200 || response.headers.has('set-cookie')) return response;
  const body = await response.arrayBuffer();
  const hash = createHash('sha256').update(new Uint8Array(body)).digest('base64url').slice(0, 16);
  const entry: Entry = { generation, validUntil: nextPublishAt ?? Number.MAX_SAFE_INTEGER, status: 200, headers: [...response.headers], body, etag: `"${generation}-${hash}"` };
  if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  entries.set(key, entry);
  return fromEntry(entry, request, 'miss');
}
