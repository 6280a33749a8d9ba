/** Test helpers for the staff console: a browser context signed in as a demo user, and web reports made over HTTP. */
import assert from 'node:assert/strict';
import type { Browser, BrowserContext } from 'playwright-core';
import { Visitor } from './http.ts';
import { signInAs } from '../integration/staff-sign-in.ts';

/** A browser context carrying the session of a demo user signed in over HTTP (TOTP computed from the demo key). */
export async function staffContext(browser: Browser, base: string, email: string, javaScriptEnabled = true): Promise<BrowserContext> {
  const visitor = await signInAs(base, email);
  // Loaded here, not at the top: the integration tests that only make reports need not load playwright and axe (~0.7 CPU s a file).
  const { newContext } = await import('./browser.ts');
  const context = await newContext(browser, base, javaScriptEnabled);
  await context.addCookies([...visitor.cookies].map(([name, value]) => ({ name, value, url: base })));
  return context;
}

/** What a test web report says; defaults give a named vandalism report in HW3 1AB. */
export interface WebReport {
  /** The reporter's e-mail address; '' with a phone number for a reporter who gives no address. */
  email: string;
  phone?: string;
  name?: string;
  category?: string;
  description?: string;
  privacy?: 'named' | 'confidential' | 'anonymous';
  /** Where it happened; the default HW3 1AB is in Thornwick. */
  postcode?: string;
  /** Images to upload at the photos step. */
  photos?: Buffer[];
  /** Called with the confirmation page's HTML (it shows an anonymous report's tracking code once). */
  onConfirmation?: (html: string) => void;
  /** The language the resident uses (the `lang` cookie), e.g. 'cy'; English when absent. */
  language?: string;
}

/** Make a web report through the public journey over HTTP; returns its reference. */
export async function createWebReport(base: string, report: WebReport): Promise<string> {
  return (await sendWebReport(base, report)).ref;
}

/** Make a web report through the public journey over HTTP; returns its reference and, when anonymous, its tracking code. */
export async function sendWebReport(base: string, report: WebReport): Promise<{ ref: string; trackCode: string | null }> {
  const v = new Visitor(base);
  if (report.language) v.cookies.set('lang', report.language);
  const privacy = report.privacy ?? 'named';
  const steps: [string, Record<string, string>][] = [
    ['/report/danger', { danger: 'no' }],
    ['/report/category', { category: report.category ?? 'vandalism' }],
    ['/report/description', { description: report.description ?? 'Someone sprayed graffiti on the bus shelter again.' }],
    ['/report/when', { whenKind: 'approx' }],
    ['/report/when-details', { whenText: 'Last weekend' }],
    ['/report/where', { postcode: report.postcode ?? 'HW3 1AB', place: 'Bus shelter on Mill Lane' }],
    ['/report/people', { people: '', affected: 'community', before: 'yes' }],
    ['/report/photos', { intent: 'continue' }],
    ['/report/privacy', { privacy }],
  ];
  if (privacy !== 'anonymous') steps.push(['/report/contact', { name: report.name ?? 'Robin Resident', email: report.email, phone: report.phone ?? '', preferredContact: report.email ? 'email' : 'phone', consentShare: 'yes' }]);
  for (const [path, body] of steps) {
    let payload: Record<string, string> | FormData = body;
    if (path === '/report/photos' && report.photos?.length) {
      payload = new FormData();
      payload.set('intent', 'continue');
      report.photos.forEach((data, i) => (payload as FormData).append('photos', new Blob([new Uint8Array(data)], { type: 'image/png' }), `photo-${i + 1}.png`));
    }
    const res = await v.post(path, payload);
    assert.equal(res.status, 303, `${path} accepted: ${res.status} ${res.status === 400 ? (await res.text()).match(/error-summary[\s\S]{0,600}/)?.[0] : ''}`);
  }
  const sent = await v.post('/report/check', { website: '' });
  assert.equal(sent.status, 303, `report sent: ${sent.status}`);
  const confirmation = await (await v.get('/report/confirmation')).text();
  report.onConfirmation?.(confirmation);
  const ref = /class="reference">([^<]+)</.exec(confirmation)?.[1];
  assert.ok(ref, 'reference on the confirmation page');
  const trackCode = /<dt>Tracking code<\/dt><dd><strong>([^<]+)</.exec(confirmation)?.[1] ?? null;
  return { ref, trackCode };
}
