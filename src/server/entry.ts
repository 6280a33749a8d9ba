/**
 * The server module: the process starts here (built to dist/server/entry.mjs). It boots the runtime
 * (settings, database, migrations, outbox) before it listens, serves the built static files itself, hands
 * every other request to Astro (the Node adapter in middleware mode), and owns body limits, timeouts and
 * shutdown. Each step of a request is a small function so that others (such as taking the client address
 * from trusted proxy hops) slot in without reshaping the rest.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { handler } from '@astrojs/node/server.js';
import { describeError, log, routeOf } from '../platform/log.ts';
import { requestFinished, requestStarted } from '../platform/load.ts';
import { getRuntime, ensureRuntime, stopRuntime } from './runtime.ts';
import { createStaticFiles } from './static-files.ts';
import { HSTS, SECURITY_HEADERS } from '../platform/security/headers.ts';
import { bodyLimitFor, countFormFields, fieldLimitFor } from './body-limits.ts';
import { MAX_FORM_FIELDS } from '../platform/forms/index.ts';
import { resolveClientAddress } from './client-address.ts';
import { SEND_PATH, sendReportThin } from '../web/report/send.ts';
import { isMultipart, PHOTOS_PATH, receivePhotoUpload } from '../web/report/photo-upload.ts';
import { lookupPage } from '../web/page-cache.ts';

/** Methods the site answers; anything else (TRACE, CONNECT, …) gets 405. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'OPTIONS']);
/** Astro's built-in routes the site does not use (image optimisation, server islands, actions). */
const UNUSED_ROUTES = ['/_image', '/_server-islands/', '/_actions/'];
/** How long the drain waits with nothing in flight before it stops listening. */
const DRAIN_QUIET_MS = 250;

try {
  await ensureRuntime();
} catch (error) {
  process.stderr.write(`Saferline cannot start: ${(error as Error).message}\n`);
  process.exit(1);
}

const env = getRuntime().env;
const staticFiles = createStaticFiles(fileURLToPath(new URL('../client/', import.meta.url)));
const active = new Set<ServerResponse>();
let draining = false;

/** The path of a request, without its query string. */
function requestPath(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0] ?? '/';
}

/** True when the request came over TLS, or the site is served over https (browsers ignore HSTS on http). */
function isHttps(req: IncomingMessage): boolean {
  return ('encrypted' in req.socket && !!req.socket.encrypted) || env.PUBLIC_URL.startsWith('https:');
}

/** Set the security headers on a response before anything writes it, so every answer carries them. */
function setSecurityHeaders(req: IncomingMessage, res: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  if (isHttps(req)) res.setHeader('Strict-Transport-Security', HSTS);
}

/** A short plain-text answer (the security headers are already set). */
function answer(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...extra });
  res.end(text);
}

/** How long a connection closed after a refusal keeps reading, and dropping, what its client still sends. */
const LINGER_MS = 2000;

/** Connections closing after a refusal: a request pipelined behind the refused one is read and dropped, never run (its answer could not be sent). */
const closing = new WeakSet<object>();

/**
 * Answer, then close the connection, whose request body is left unread: after the answer has been sent (FIN), what
 * the client is still sending is read and dropped until it closes its side or LINGER_MS pass. Closing a socket with
 * unread data resets it, and the reset can reach the client before the answer it was meant to show.
 */
function answerAndClose(req: IncomingMessage, res: ServerResponse, status: number, text: string): void {
  const socket = req.socket;
  closing.add(socket);
  // Node's server ends a "Connection: close" answer with socket.destroySoon() (the end, then destroy at once).
  socket.destroySoon = function lingerThenDestroy(this: typeof socket) {
    this.end();
    // Once the client has closed its side too and the answer is flushed, the socket destroys itself (autoDestroy).
    const timer = setTimeout(() => this.destroy(), LINGER_MS).unref();
    this.once('close', () => clearTimeout(timer));
    this.resume();
  };
  req.resume();
  answer(res, status, text, { Connection: 'close' });
}

/** 413 for a body over the route's limit; the connection closes because the rest of the body is unread. */
function refuseTooLarge(req: IncomingMessage, res: ServerResponse, limit: number): void {
  answerAndClose(req, res, 413, `What you sent is too large (the limit here is ${Math.floor(limit / 1024)} kB). Go back and send less.`);
}

/** True for the two form encodings, the only bodies the site reads. */
function isFormType(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data';
}

/** True for a request that carries a body to read. */
function hasBody(req: IncomingMessage): boolean {
  return req.method !== 'GET' && req.method !== 'HEAD' && (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined);
}

/** The declared Content-Length, or null when the body is chunked (or the header is not a number). */
function declaredLength(req: IncomingMessage): number | null {
  const raw = req.headers['content-length'];
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : null;
}

/**
 * Read a body, counting bytes as they arrive: the body, 'too-large' as soon as it passes the limit, or
 * 'aborted' when the client went away or the request timed out.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: Buffer | 'too-large' | 'aborted') => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      req.off('error', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish('too-large');
      else chunks.push(chunk);
    };
    const onEnd = () => finish(Buffer.concat(chunks, size));
    const onClose = () => finish('aborted');
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    req.on('error', onClose);
  });
}

/** Keep count of a response until its connection is done with it (for the drain, and for background work that gives way to requests), and close it promptly during a drain. */
function track(res: ServerResponse): void {
  active.add(res);
  requestStarted();
  if (draining) res.setHeader('Connection', 'close');
  res.once('close', () => {
    active.delete(res);
    requestFinished();
  });
}


/** 503 during a drain; a body is read (and dropped) first, so closing the connection cannot reset it. */
async function refuseDraining(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (hasBody(req) && (await readBody(req, bodyLimitFor(requestPath(req)))) === 'aborted') return void res.destroy();
  answer(res, 503, 'Service is restarting, try again in a moment.', { 'Retry-After': '5', Connection: 'close' });
}

/** The client's address: the socket's, or from trusted proxy hops (TRUSTED_PROXY_HOPS). */
function clientAddressOf(req: IncomingMessage): string | null {
  return resolveClientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], env.TRUSTED_PROXY_HOPS);
}

/** The header that carries an Open311 call's own Content-Type to its handler (src/web/open311.ts). */
const OPEN311_CONTENT_TYPE = 'x-open311-content-type';

/**
 * Open311 calls come from other servers and authenticate with an api_key, never a cookie: drop any cookie (so no
 * staff session can ride on the call), and mark the form body as an API body, which Astro's check for cross-site
 * browser forms lets through; the handler reads the body with its original type.
 */
function prepareOpen311Call(req: IncomingMessage): void {
  delete req.headers.cookie;
  delete req.headers[OPEN311_CONTENT_TYPE];
  // Without a type too: Astro takes a POST with none for a cross-site form.
  req.headers[OPEN311_CONTENT_TYPE] = req.headers['content-type'] ?? '';
  req.headers['content-type'] = 'application/x-open311-call';
}

/** The content type a one-click unsubscribe POST is handed to Astro with (its handler reads no body). */
const ONE_CLICK_TYPE = 'application/x-one-click-unsubscribe';

/**
 * A one-click unsubscribe (RFC 8058) is POSTed by the mail client or provider, from anywhere, with the signed token
 * in the URL as its only credential: drop any cookie, and mark the form body so that Astro's check for cross-site
 * browser forms lets it through (src/web/alerts/public.ts).
 */
function prepareOneClickUnsubscribe(req: IncomingMessage): void {
  delete req.headers.cookie;
  req.headers['content-type'] = ONE_CLICK_TYPE;
}

/** Hand a request to Astro (with any locals an earlier step set); an error that escapes it is logged (route and cause only) and answered 500. */
async function renderWithAstro(req: IncomingMessage, res: ServerResponse, locals: Partial<App.Locals> = {}): Promise<void> {
  try {
    await handler(req, res, undefined, { ...locals, clientAddress: clientAddressOf(req) });
  } catch (error) {
    log.error('request.unhandled', { method: req.method, route: routeOf(requestPath(req)), cause: describeError(error) });
    if (!res.headersSent) answer(res, 500, 'Sorry, there is a problem with the service. Try again later.');
    else res.destroy();
  }
}

/**
 * Answer an anonymous GET of a cached public page (src/web/page-cache.ts) here, before Astro's pipeline and the
 * session load, with the headers the page was rendered with; false when Astro must render it.
 */
async function answerFromCache(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const target = req.url ?? '/';
  if (!target.startsWith('/') || target.startsWith('//')) return false;
  const started = performance.now();
  const page = await lookupPage('GET', new URL(`http://page.invalid${target}`), req.headers.cookie, req.headers['if-none-match']).catch((error: unknown) => {
    log.error('page_cache.failed', { cause: describeError(error) });
    return null;
  });
  if (!page) return false;
  for (const [name, value] of page.headers) res.setHeader(name, value);
  res.writeHead(page.status);
  res.end(page.body);
  log.info('request', { method: 'GET', path: routeOf(target), status: page.status, ms: Math.round((performance.now() - started) * 10) / 10, cache: 'hit' });
  return true;
}

async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (closing.has(req.socket)) return void req.resume();
  setSecurityHeaders(req, res);
  track(res);
  if (draining) return refuseDraining(req, res);
  if (!METHODS.has(req.method ?? '')) return answer(res, 405, 'Method not allowed.', { Allow: [...METHODS].join(', ') });
  const path = requestPath(req);
  if (UNUSED_ROUTES.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`))) return answer(res, 404, 'Page not found.');
  if (staticFiles.serve(req, res)) return;
  if (req.method === 'GET' && (await answerFromCache(req, res))) return;
  // Open311 answers a body of another type itself, in the spec's error document (src/web/open311.ts).
  const open311 = path.startsWith('/open311/');
  if (req.method === 'POST' && !open311 && !isFormType(req.headers['content-type'])) return answer(res, 415, 'The form could not be read. Go back and try again.');
  const contentType = req.headers['content-type'] ?? '';
  if (open311) prepareOpen311Call(req);
  if (req.method === 'POST' && path === '/alerts/unsubscribe') prepareOneClickUnsubscribe(req);
  if (hasBody(req)) {
    const limit = bodyLimitFor(path);
    const length = declaredLength(req);
    if (length !== null && length > limit) return refuseTooLarge(req, res, limit);
    if (req.method === 'POST' && path === PHOTOS_PATH && isMultipart(contentType)) return receivePhotos(req, res, limit);
    const body = await readBody(req, limit);
    if (body === 'too-large') return refuseTooLarge(req, res, limit);
    if (body === 'aborted') return void res.destroy();
    const fields = fieldLimitFor(path);
    if (countFormFields(body, contentType) > fields) return answer(res, 413, `The form has too many fields (the limit is ${fields}). Go back and try again.`);
    // The adapter takes a body already read from req.body (makeRequestBody in astro/app/node).
    (req as IncomingMessage & { body?: Buffer }).body = body;
    if (req.method === 'POST' && path === SEND_PATH) return sendReport(req, res, body);
  }
  await renderWithAstro(req, res);
}

/**
 * The photos step's multipart body streams to temporary files (src/web/report/photo-upload.ts) instead of being read
 * whole; the page gets the files in locals, and the files are removed once it has answered.
 */
async function receivePhotos(req: IncomingMessage, res: ServerResponse, limit: number): Promise<void> {
  const received = await receivePhotoUpload(req, limit, MAX_FORM_FIELDS);
  if (received === 'too-large') return refuseTooLarge(req, res, limit);
  if (received === 'aborted') return void res.destroy();
  if (received === 'too-many-fields') return answerAndClose(req, res, 413, `The form has too many fields (the limit is ${MAX_FORM_FIELDS}). Go back and try again.`);
  try {
    await renderWithAstro(req, res, { photoUpload: received });
  } finally {
    await received.discard();
  }
}

/**
 * "Send your report": the thin path (src/web/report/send.ts) answers the common case without the Astro pipeline
 * and hands the rest to the page. An error is answered 500 as Astro's would be, never sent on to the page, which
 * would count the send against the rate limits again.
 */
async function sendReport(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
  let thin;
  try {
    thin = await sendReportThin(req, res, body, clientAddressOf(req));
  } catch (error) {
    log.error('request.failed', { method: 'POST', route: SEND_PATH, cause: describeError(error) });
    if (!res.headersSent) answer(res, 500, 'Sorry, there is a problem with the service. Try again later.');
    else res.destroy();
    return;
  }
  if (!thin.answered) await renderWithAstro(req, res, thin.locals);
}

const server = createServer(
  {
    requestTimeout: env.REQUEST_TIMEOUT_MS,
    headersTimeout: env.HEADERS_TIMEOUT_MS,
    // Idle keep-alive connections stay open longer than a proxy's or client's own idle limit (often 60 s), so
    // the client, not the server, closes them: a server closing first races the client's next request on that
    // socket ("other side closed"). Shutdown closes idle connections at once.
    keepAliveTimeout: 65_000,
    // Node checks the two timeouts above only this often; keep it well under them.
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(env.HEADERS_TIMEOUT_MS / 4))),
  },
  (req, res) => void onRequest(req, res),
);
/** CONNECT (proxy tunnels) never reaches the request handler: answer it 405 on the raw socket and close. */
server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
  const headers = Object.entries({ ...SECURITY_HEADERS, Allow: [...METHODS].join(', '), 'Content-Length': '0', Connection: 'close' });
  socket.end(`HTTP/1.1 405 Method Not Allowed\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
});
/** The answers Node's HTTP parser gives a request it cannot take (a malformed request, headers too large, too slow). */
const CLIENT_ERRORS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: '413 Payload Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};
/**
 * Node's own answer to a request it could not read (as Node's default handler answers: only when no answer on
 * this connection has started), with the security headers every answer carries.
 */
server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex & { _httpMessage?: ServerResponse | null }) => {
  if (socket.writable && !socket._httpMessage?.headersSent && error.code !== 'ECONNRESET') {
    const status = CLIENT_ERRORS[error.code ?? ''] ?? '400 Bad Request';
    const headers = Object.entries({ ...SECURITY_HEADERS, ...(env.PUBLIC_URL.startsWith('https:') ? { 'Strict-Transport-Security': HSTS } : {}), 'Content-Length': '0', Connection: 'close' });
    socket.write(`HTTP/1.1 ${status}\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
  }
  socket.destroy(error);
});
const host = process.env.HOST ?? '0.0.0.0';
const port = Number(process.env.PORT ?? 4321);
server.listen(port, host, () => log.info('server.listening', { host, port }));

/** Resolve after a pause. */
function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Wait until nothing has been in flight for DRAIN_QUIET_MS, or until the deadline. */
async function waitForQuiet(deadline: number): Promise<void> {
  let quietSince = active.size === 0 ? Date.now() : 0;
  while (Date.now() < deadline) {
    if (active.size > 0) quietSince = 0;
    else if (!quietSince) quietSince = Date.now();
    else if (Date.now() - quietSince >= DRAIN_QUIET_MS) return;
    await sleep(20);
  }
}

/**
 * Drain: keep listening while in-flight requests finish (their answers close the connection); a request
 * arriving meanwhile, on a new or a kept-alive connection, gets 503 with Connection: close. Closing idle
 * keep-alive connections while requests still flow would race the clients' next requests (a reset), so
 * they are closed once nothing is in flight: then stop listening, close what is left, stop the runtime
 * and exit 0.
 */
async function shutdown(signal: string): Promise<void> {
  if (draining) return;
  draining = true;
  log.info('server.draining', { signal, inFlight: active.size });
  for (const res of active) if (!res.headersSent) res.setHeader('Connection', 'close');
  const deadline = Date.now() + env.SHUTDOWN_TIMEOUT_MS;
  await waitForQuiet(deadline);
  const closed = new Promise<void>((r) => server.close(() => r()));
  server.closeIdleConnections();
  await Promise.race([closed, sleep(Math.max(0, deadline - Date.now()))]);
  server.closeAllConnections();
  await stopRuntime();
  log.info('server.stopped', { signal });
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
