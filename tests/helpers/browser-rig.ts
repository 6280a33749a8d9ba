/**
 * The parts most browser test files share: a built server, Chromium and, when asked, a loopback SMTP server,
 * started before the file's tests and stopped after. Each test file runs in its own process, so these live
 * bindings belong to the file that calls useBrowserRig.
 */
import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser.ts';
import { startServer, type TestServer } from './server.ts';
import { startSmtp, type TestSmtp } from './smtp.ts';

export let server: TestServer;
export let browser: Browser;
export let smtp: TestSmtp;

/** Start the server (with `env`, and SMTP_URL when `withSmtp`) and Chromium before this file's tests; stop them after. */
export function useBrowserRig(options: { env?: Record<string, string>; withSmtp?: boolean } = {}): void {
  before(async () => {
    if (options.withSmtp) smtp = await startSmtp();
    server = await startServer({ ...(options.withSmtp ? { SMTP_URL: smtp.url } : {}), ...options.env });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await smtp?.close();
  });
}
