/** Mail transport: SMTP when SMTP_URL is set, otherwise .eml files in MAIL_DIR. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { checkedRecipient } from './address.ts';
import type { RenderedMail } from './templates.ts';

/** Something that can send a rendered message. */
export interface MailTransport {
  send(to: string, from: string, mail: RenderedMail, messageId: string): Promise<void>;
  close(): void;
}

/**
 * True when the mail server refused this message for good: a 5xx reply to its recipient or its content
 * (RCPT TO, DATA). Sending it again would not help. A 5xx at sign-in or to the sender address is a settings
 * problem that would refuse every message alike, so it is retried like a 4xx or a network error.
 */
export function isPermanentRejection(error: unknown): boolean {
  const e = error as { responseCode?: unknown; command?: unknown } | null;
  if (!e || typeof e.responseCode !== 'number') return false;
  return e.responseCode >= 500 && e.responseCode < 600 && e.responseCode !== 503 && (e.command === 'RCPT TO' || e.command === 'DATA');
}

/** Create the transport the settings ask for. */
export function createMailTransport(options: { smtpUrl?: string; mailDir: string }): MailTransport {
  if (options.smtpUrl) {
    const transporter = nodemailer.createTransport(options.smtpUrl, {
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    } as never);
    return {
      async send(to, from, mail, messageId) {
        await transporter.sendMail({ to: checkedRecipient(to), from, subject: mail.subject, text: mail.text, html: mail.html, headers: mail.headers, messageId });
      },
      close: () => transporter.close(),
    };
  }
  const streamer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(to, from, mail, messageId) {
      const recipient = checkedRecipient(to);
      const info = await streamer.sendMail({ to: recipient, from, subject: mail.subject, text: mail.text, html: mail.html, headers: mail.headers, messageId });
      await mkdir(options.mailDir, { recursive: true });
      const safe = messageId.replace(/[^a-zA-Z0-9.-]/g, '_');
      await writeFile(join(options.mailDir, `${Date.now()}-${safe}.eml`), info.message as Buffer);
    },
    close: () => streamer.close(),
  };
}
