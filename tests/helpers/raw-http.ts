/** Raw HTTP/1.1 over a TCP socket, for what fetch cannot do: lie about Content-Length, stream slowly, odd methods. */
import { connect, type Socket } from 'node:net';

/** What came back on the socket. */
export interface RawAnswer {
  /** 0 when nothing that looks like an HTTP answer arrived. */
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection (rather than our timeout ending the wait). */
  closed: boolean;
  /** The connection was reset (ECONNRESET) instead of closed. */
  reset: boolean;
  /** Milliseconds from the first byte sent to the answer's head (or to the end). */
  ms: number;
}

/** Parse a raw response text into status, headers and body. */
export function parseAnswer(text: string): Pick<RawAnswer, 'status' | 'headers' | 'body'> {
  const end = text.indexOf('\r\n\r\n');
  const head = end >= 0 ? text.slice(0, end) : '';
  const [first, ...lines] = head.split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(first ?? '')?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status, headers, body: end >= 0 ? text.slice(end + 4) : '' };
}

/** A socket to the server on loopback. */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * Send `parts` (each written in turn, `gapMs` apart) and wait until the server closes the connection or
 * `waitMs` passes; the answer is what arrived by then.
 */
export async function exchange(port: number, parts: (string | Buffer)[], options: { gapMs?: number; waitMs?: number } = {}): Promise<RawAnswer> {
  const socket = await openSocket(port);
  const started = Date.now();
  let text = '';
  let headAt = 0;
  let reset = false;
  socket.on('data', (d) => {
    text += d.toString('latin1');
    if (!headAt && text.includes('\r\n\r\n')) headAt = Date.now();
  });
  let finished = false;
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<boolean>((resolve) => {
    socket.once('close', () => resolve(true));
    timer = setTimeout(() => resolve(false), options.waitMs ?? 10_000);
  }).finally(() => {
    finished = true;
    clearTimeout(timer);
  });
  socket.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'ECONNRESET') reset = true;
  });
  for (const part of parts) {
    if (socket.destroyed || finished) break;
    socket.write(part);
    if (options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
  }
  const closed = await done;
  socket.destroy();
  return { ...parseAnswer(text), closed, reset, ms: (headAt || Date.now()) - started };
}
