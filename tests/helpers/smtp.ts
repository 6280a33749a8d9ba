/** A real SMTP server on loopback (smtp-server) that parses what arrives (mailparser). */
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

/** A running test mail server. */
export interface TestSmtp {
  url: string;
  messages: ParsedMail[];
  waitFor(match: (m: ParsedMail) => boolean, timeoutMs?: number): Promise<ParsedMail>;
  close(): Promise<void>;
}

/** How the test mail server behaves. */
export interface SmtpOptions {
  /** Wait this long before answering each message: a slow server. */
  acceptDelayMs?: number;
  /** The reply code to refuse a recipient with (550 for good, 450 for now), or undefined to take it. */
  refuseRecipient?: (address: string) => number | undefined;
  /** The reply code to refuse a message's data with (after the delay), or undefined to accept it. */
  refuseData?: (mail: ParsedMail) => number | undefined;
  /** True for a message the server never answers: it waits until the client goes away, then drops it (a stalled server). */
  stall?: (mail: ParsedMail) => boolean;
  /** Called when a message's data has arrived, before it is answered. */
  onReceive?: (mail: ParsedMail) => void;
  /** Called just after a message is accepted (its 250 reply is on its way). */
  onAccept?: (mail: ParsedMail) => void;
}

/** An SMTP error reply with the given code. */
function smtpError(code: number, text: string) {
  return Object.assign(new Error(text), { responseCode: code });
}

/**
 * Start an SMTP server on a free loopback port. A message counts (in `messages`) once it is accepted: one
 * whose client disconnects before the server answers is dropped, as a real server drops it.
 */
export async function startSmtp(options: SmtpOptions = {}): Promise<TestSmtp> {
  const messages: ParsedMail[] = [];
  const waiters: (() => void)[] = [];
  const closed = new Set<string>();
  const closing = new Map<string, () => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const code = options.refuseRecipient?.(address.address);
      callback(code ? smtpError(code, code >= 500 ? 'No such mailbox here' : 'Mailbox busy, try again later') : undefined);
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then(async (mail) => {
          options.onReceive?.(mail);
          if (options.stall?.(mail) && !closed.has(session.id)) await new Promise<void>((r) => closing.set(session.id, r));
          if (options.acceptDelayMs) await new Promise((r) => setTimeout(r, options.acceptDelayMs));
          if (closed.has(session.id)) return callback(smtpError(421, 'Client went away'));
          const refused = options.refuseData?.(mail);
          if (refused) return callback(smtpError(refused, refused >= 500 ? 'Message refused' : 'Try again later'));
          messages.push(mail);
          for (const w of waiters.splice(0)) w();
          callback();
          options.onAccept?.(mail);
        })
        .catch(callback);
    },
    onClose(session) {
      closed.add(session.id);
      closing.get(session.id)?.();
    },
  });
  // A client killed mid-message (a server process under SIGKILL) resets its connection inside the mail
  // transaction, and smtp-server reports that as an 'error' event: with no listener it would be thrown. A real
  // server logs it and carries on; the message is dropped, as onData's `closed` check already counts it.
  server.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') console.error('test SMTP server:', err);
  });
  // Port 0: the system picks a free port as it binds, so nothing can take it in between.
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    async waitFor(match, timeoutMs = 15000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(match);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no matching e-mail within ${timeoutMs} ms (got ${messages.length})`);
        await new Promise<void>((res) => {
          const t = setTimeout(res, Math.min(left, 250));
          waiters.push(() => {
            clearTimeout(t);
            res();
          });
        });
      }
    },
    close: () => new Promise((res) => server.close(() => res())),
  };
}

/** True when a parsed message was addressed to the given e-mail address. */
export function sentTo(mail: ParsedMail, address: string): boolean {
  const to = Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [];
  return to.some((a) => a.value.some((v) => v.address?.toLowerCase() === address.toLowerCase()));
}
