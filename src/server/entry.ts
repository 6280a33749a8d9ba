/**
 * The server module: the process starts here (built to dist/server/entry.mjs). It boots the runtime
 * (settings, database, migrations, outbox) before it listens, serves the built static files itself, hands
 * every other request to Astro (the Node adapter in middleware mode), and owns timeouts and shutdown.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { handler } from '@astrojs/node/server.js';
import { log } from '../platform/log.ts';
import { ensureRuntime, stopRuntime } from './runtime.ts';
import { createStaticFiles } from './static-files.ts';
import { SECURITY_HEADERS } from '../platform/security/headers.ts';
import { getEnv } from '../platform/config/env.ts';
import { resolveClientAddress } from './client-address.ts';

/** Methods the site answers; anything else (TRACE, CONNECT, …) gets 405. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'OPTIONS']);
const DRAIN_MS = 10_000;

try {
  await ensureRuntime();
} catch (error) {
  process.stderr.write(`Saferline cannot start: ${(error as Error).message}\n`);
  process.exit(1);
}

const staticFiles = createStaticFiles(fileURLToPath(new URL('../client/', import.meta.url)));
let inFlight = 0;
let draining = false;

/** A short plain-text answer with the security headers. */
function plain(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}) {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...extra });
  res.end(text);
}

async function onRequest(req: IncomingMessage, res: ServerResponse) {
  if (draining) {
    plain(res, 503, 'Service is restarting, try again in a moment.', { 'Retry-After': '5', Connection: 'close' });
    return;
  }
  if (!METHODS.has(req.method ?? '')) {
    plain(res, 405, 'Method not allowed.', { Allow: [...METHODS].join(', ') });
    return;
  }
  if (staticFiles.serve(req, res)) return;
  inFlight++;
  res.once('close', () => {
    inFlight--;
  });
  try {
    await handler(req, res, undefined, { clientAddress: resolveClientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], getEnv().TRUSTED_PROXY_HOPS) });
  } catch (error) {
    log.error('request.unhandled', { method: req.method, path: (req.url ?? '').split('?')[0], error: String(error) });
    if (!res.headersSent) plain(res, 500, 'Something went wrong.');
    else res.destroy();
  }
}

const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 }, (req, res) => void onRequest(req, res));
const host = process.env.HOST ?? '0.0.0.0';
const port = Number(process.env.PORT ?? 4321);
server.listen(port, host, () => log.info('server.listening', { host, port }));

async function shutdown(signal: string) {
  if (draining) return;
  draining = true;
  log.info('server.draining', { signal, inFlight });
  server.close();
  server.closeIdleConnections();
  const deadline = Date.now() + DRAIN_MS;
  while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  server.closeAllConnections();
  await stopRuntime();
  log.info('server.stopped', { signal });
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
