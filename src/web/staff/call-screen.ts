/**
 * The call screen's handler: look-up, reading and logging a call, the saved banner and its one-time tracking
 * code, and everything the page draws. The page (src/pages/staff/calls/new.astro) only guards and renders.
 */
import type { AstroGlobal } from 'astro';
import { getConfig, getRuntime } from '../../server/runtime.ts';
import { recordAudit } from '../../platform/audit.ts';
import { newSecret } from '../../platform/security/ids.ts';
import { readForm, type FieldError } from '../../platform/forms/index.ts';
import { routeFormLimit } from '../forms.ts';
import { fieldName, type Question } from '../../platform/questions/index.ts';
import { loadAdvicePages, searchAdvice, type AdvicePage } from '../../domains/calls/index.ts';
import { formatDuration, readCallStart } from '../../domains/calls/index.ts';
import { callReportQuestions, keepValues, readCallForm } from '../../domains/calls/index.ts';
import { logCall } from '../../domains/calls/index.ts';
import { classifyLookup, confirmCaller, lookUpCaller, type CallerConfirmation, type CallerLookup } from '../../domains/calls/index.ts';
import { findSavedCall } from '../../domains/calls/index.ts';
import { caseScope } from '../../domains/cases/index.ts';
import { can } from '../guards.ts';
import { clientAddressOf } from '../client-address.ts';

/** The cookie that carries an anonymous caller's tracking code to the page after the redirect, once. */
const FLASH = 'saferline_call_track';

/** Everything the call screen draws. */
export interface CallScreen {
  values: Record<string, string>;
  advice: string[];
  errors: FieldError[];
  /** Errors for the summary at the top (the look-up's own error on a GET too). */
  summaryErrors: { href: string; text: string }[];
  lookup: CallerLookup | null;
  lookupError: string | undefined;
  /** Whether the details the handler typed match the reporter of the case looked up (never the details themselves). */
  confirmation: CallerConfirmation | null;
  /** The reference the caller's details can be checked against, when the look-up was by reference. */
  confirmRef: string | null;
  focus: 'lookup' | 'callerName' | 'none';
  saved: Awaited<ReturnType<typeof findSavedCall>>;
  trackSecret: string;
  advicePages: AdvicePage[];
  adviceItems: { value: string; label: string; hint?: string }[];
  /** The new-report section's questions, each with the answer that shows it ("" when always shown). */
  reportQuestions: { question: Question; showIf: string }[];
}

/** The report questions as the call screen shows them: one field per name, shown when any of its conditions holds. */
export function callScreenQuestions(questions: readonly Question[]): { question: Question; showIf: string }[] {
  const out: { question: Question; showIf: string; show: Set<string> }[] = [];
  for (const q of questions) {
    if (q.key === 'outcome') continue;
    const same = out.find((x) => fieldName(x.question) === fieldName(q));
    if (same) {
      for (const v of q.showWhen?.in ?? []) same.show.add(v);
      same.showIf = `${q.showWhen?.key}=${[...same.show].join('|')}`;
      continue;
    }
    const show = new Set(q.showWhen?.in ?? []);
    out.push({ question: q, show, showIf: q.showWhen ? `${q.showWhen.key}=${[...show].join('|')}` : '' });
  }
  return out.map(({ question, showIf }) => ({ question, showIf }));
}

/** Handle the call screen: a Response to return (a redirect after saving), or what to draw. */
export async function handleCallScreen(astro: AstroGlobal): Promise<Response | CallScreen> {
  const user = astro.locals.user!;
  const config = getConfig();
  const prefix = config.partnership.referencePrefix;
  const now = Date.now();
  const advicePages = loadAdvicePages();
  // The call has not started until the handler says so (Call started, or a first key pressed) or looks up a caller.
  let values: Record<string, string> = { ...keepValues(new FormData()), token: newSecret(16), startedAt: '', openedAt: String(now) };
  let advice: string[] = [];
  let errors: FieldError[] = [];
  let lookup: CallerLookup | null = null;
  let focus: CallScreen['focus'] = 'lookup';
  let saved: CallScreen['saved'] = null;
  let trackSecret = '';
  let confirmation: CallerConfirmation | null = null;
  const ip = clientAddressOf(astro);

  const runLookup = async (text: string) => {
    if (!can(astro.locals, 'case.lookup')) return (lookup = { ok: false, message: 'You do not have permission to look up callers' });
    lookup = await lookUpCaller(text, prefix, 20, caseScope(user), can(astro.locals, 'pii.view'));
    if (lookup.ok) {
      await recordAudit({ kind: 'user', id: user.id, ip }, 'caller.lookup', null, {
        kind: lookup.kind, searched: lookup.value, refs: lookup.cases.map((c) => c.ref), calls: lookup.calls.length,
      });
    }
    return lookup;
  };
  /** Check the caller's typed details against the case looked up; audited with the answer, never the held details. */
  const runConfirm = async (form: Record<string, string>) => {
    const ref = referenceLookedUp(form.lookup ?? '', prefix);
    if (!ref || !can(astro.locals, 'case.lookup')) return;
    if (!form.callerName && !form.callerPhone && !form.callerEmail) {
      errors = [{ field: 'callerName', href: '#callerName', text: "Enter the caller's name, phone number or email address to check them against the case" }];
      return;
    }
    confirmation = await confirmCaller(ref, { name: form.callerName, phone: form.callerPhone, email: form.callerEmail }, caseScope(user));
    if (confirmation.ok) {
      await recordAudit({ kind: 'user', id: user.id, ip }, 'caller.confirm', null, { searched: ref, refs: [ref], name: confirmation.name, phone: confirmation.phone, email: confirmation.email });
    }
  };

  if (astro.request.method === 'POST') {
    focus = 'none';
    const read = await readForm(astro.request, { multipart: false, maxBytes: routeFormLimit(astro) });
    if (!read.ok) {
      errors = read.errors;
      astro.response.status = read.status;
    } else {
      const form = read.form;
      const result = readCallForm(form, config, advicePages.map((p) => p.slug), now);
      values = { ...result.values, token: /^[a-z2-7]{26}$/.test(result.values.token ?? '') ? result.values.token! : newSecret(16) };
      advice = result.advice;
      const intent = form.get('intent');
      if (intent === 'confirm-caller') {
        await runConfirm(values);
        if (errors.length) astro.response.status = 400;
      } else if (intent !== 'search-advice') {
        if (result.draft && (result.draft.report || result.draft.feedback) && !can(astro.locals, 'case.create')) {
          errors = [{ field: 'reason', href: '#reason', text: 'You do not have permission to create a case: choose another reason for the call' }];
        } else if (result.draft) {
          const logged = await logCall(result.draft, { config, handler: { id: user.id, ip: clientAddressOf(astro) }, publicUrl: getRuntime().env.PUBLIC_URL, scope: caseScope(user) }, now);
          if (logged.ok) {
            getRuntime().outbox.poke();
            if (logged.trackSecret) {
              astro.cookies.set(FLASH, `${logged.callId}.${logged.trackSecret}`, { path: '/staff/calls/new', httpOnly: true, sameSite: 'strict', secure: astro.url.protocol === 'https:', maxAge: 300 });
            }
            return astro.redirect(`/staff/calls/new?saved=${encodeURIComponent(logged.callId)}`, 303);
          }
          errors = logged.errors;
        } else errors = result.errors;
        if (errors.length) astro.response.status = 400;
      }
      if (values.lookup) await runLookup(values.lookup);
    }
  } else {
    const params = astro.url.searchParams;
    const q = (params.get('lookup') ?? '').slice(0, 254);
    const started = readCallStart(params.get('startedAt') ?? '', now);
    // "Call started" (without JavaScript) or a look-up starts the call now, unless it had already started.
    if (started !== null) values.startedAt = String(started);
    else if (params.has('start') || q.trim()) values.startedAt = String(now);
    if (q.trim()) {
      values.lookup = q;
      const found = await runLookup(q);
      if (found.ok) {
        // Only what the handler typed goes into the caller's details: nothing held on a case is revealed.
        if (found.kind === 'phone') values.callerPhone = q.trim();
        if (found.kind === 'email') values.callerEmail = found.value;
        if (found.kind === 'reference') values.caseRef = found.value;
        focus = 'callerName';
      }
    }
    const savedId = params.get('saved');
    if (savedId && /^[0-9a-z]{20}$/.test(savedId)) {
      saved = await findSavedCall(savedId, user.id);
      const flash = astro.cookies.get(FLASH)?.value ?? '';
      if (flash) {
        const [id, secret] = flash.split('.');
        if (saved && id === savedId && secret) trackSecret = secret;
        astro.cookies.delete(FLASH, { path: '/staff/calls/new' });
      }
    }
  }

  // The duration field: while the handler has not edited it, it shows the time since the call started (blank before).
  const started = readCallStart(values.startedAt ?? '', now);
  if (started === null) {
    if (values.duration === values.durationAuto) values.duration = '';
    values.durationAuto = '';
  } else if (!values.duration || values.duration === values.durationAuto) {
    const elapsed = formatDuration((now - started) / 1000);
    values.duration = elapsed;
    values.durationAuto = elapsed;
  }

  const found = lookup as CallerLookup | null;
  const lookupError = found && !found.ok ? found.message : undefined;
  const summaryErrors = [...errors.map((e) => ({ href: e.href, text: e.text })), ...(lookupError && astro.request.method === 'GET' ? [{ href: '#lookup', text: lookupError }] : [])];
  const adviceHits = searchAdvice(values.adviceQuery ?? '', advicePages, 50);
  const adviceItems = [...adviceHits, ...advicePages.filter((p) => advice.includes(p.slug) && !adviceHits.some((h) => h.slug === p.slug))].map((p) => ({
    value: p.slug,
    label: p.title,
    hint: p.summary || undefined,
  }));
  return {
    values, advice, errors, summaryErrors, lookup: found, lookupError, confirmation, confirmRef: referenceLookedUp(values.lookup ?? '', prefix), focus, saved, trackSecret, advicePages, adviceItems,
    reportQuestions: callScreenQuestions(callReportQuestions(config)),
  };
}

/** The case reference the caller was looked up by, or null when the look-up was not a reference. */
export function referenceLookedUp(lookup: string, prefix: string): string | null {
  const found = classifyLookup(lookup, prefix);
  return found?.kind === 'reference' ? found.value : null;
}
