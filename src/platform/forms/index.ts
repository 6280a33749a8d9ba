/**
 * The one way to read and validate a form. A route reads the body with readForm (refusing anything that is
 * not a readable form before parsing it), then validates it with validateForm against a zod schema built
 * from the field helpers below, whose messages follow the GOV.UK Design System. Both give the same result
 * convention: { ok: true, … } or { ok: false, errors } with one FieldError per field for the error summary.
 * The helpers' own messages come from the translation catalogues (`form.*` keys) in the language passed
 * as `lang` (English when absent); the messages a caller passes in are used as given.
 */
import { z } from 'zod';
import { translate } from '../i18n/index.ts';

/** A message for one field: href points at the input for the error summary. */
export interface FieldError {
  field: string;
  href: string;
  text: string;
}

/** A field error pointing at the input with the same id (or at another anchor). */
export function fieldError(field: string, text: string, anchor = field): FieldError {
  return { field, href: `#${anchor}`, text };
}

/** The message for a field, if it has one. */
export function errorFor(errors: readonly FieldError[], field: string): string | undefined {
  return errors.find((e) => e.field === field)?.text;
}

/** Why a body could not be read as a form. */
export interface FormRefusal {
  ok: false;
  status: 400 | 413 | 415;
  errors: FieldError[];
}

/** Limits applied before a body is parsed. */
export interface FormLimits {
  /** Largest body accepted, in bytes (default 64 kB: text forms). */
  maxBytes?: number;
  /** Most fields accepted (default 200). */
  maxFields?: number;
  /** Accept multipart/form-data (file uploads); default true. */
  multipart?: boolean;
  /** The language of the refusal messages (default English). */
  lang?: string;
}

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

/** The most fields a form may hold (each repeat of a name counts); the server module refuses more before parsing. */
export const MAX_FORM_FIELDS = 200;

function refuse(status: FormRefusal['status'], text: string): FormRefusal {
  return { ok: false, status, errors: [{ field: 'form', href: '#main-content', text }] };
}

/** Read a request body as a form: 415 when it is not one, 413 when too large, 400 when it cannot be parsed. */
export async function readForm(request: Request, limits: FormLimits = {}): Promise<{ ok: true; form: FormData } | FormRefusal> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const allowed = limits.multipart === false ? FORM_TYPES.slice(0, 1) : FORM_TYPES;
  const lang = limits.lang ?? 'en';
  if (!allowed.includes(type)) return refuse(415, translate(lang, 'form.unreadable'));
  const maxBytes = limits.maxBytes ?? 64 * 1024;
  const length = Number(request.headers.get('content-length') ?? '0');
  if (length > maxBytes) return refuse(413, translate(lang, 'form.tooLarge'));
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return refuse(400, translate(lang, 'form.unreadable'));
  }
  let count = 0;
  for (const _ of form.keys()) if (++count > (limits.maxFields ?? MAX_FORM_FIELDS)) return refuse(413, translate(lang, 'form.tooManyFields'));
  return { ok: true, form };
}

/**
 * readForm for a urlencoded body the server module has already read (its thin paths): the same limits and the same
 * parse (UTF-8, as URLSearchParams), without building a Request and FormData for it.
 */
export function readUrlencodedBody(body: Uint8Array, limits: Omit<FormLimits, 'multipart'> = {}): { ok: true; form: URLSearchParams } | FormRefusal {
  const lang = limits.lang ?? 'en';
  if (body.byteLength > (limits.maxBytes ?? 64 * 1024)) return refuse(413, translate(lang, 'form.tooLarge'));
  const form = new URLSearchParams(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  let count = 0;
  for (const _ of form.keys()) if (++count > (limits.maxFields ?? MAX_FORM_FIELDS)) return refuse(413, translate(lang, 'form.tooManyFields'));
  return { ok: true, form };
}

/** Every value of a form as plain data: single values as strings, repeated names as arrays, files kept. */
export function formValues(form: FormData): Record<string, string | string[] | File | File[]> {
  const out: Record<string, string | string[] | File | File[]> = {};
  for (const key of new Set(form.keys())) {
    const all = form.getAll(key);
    out[key] = all.length === 1 ? all[0]! : (all as string[] | File[]);
  }
  return out;
}

/** The string values of a form with every value of a repeated field (ticked boxes), for re-rendering question-engine forms after a refusal. */
export function typedAnswers(form: FormData): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(form.keys())) {
    const all = form.getAll(key).filter((v): v is string => typeof v === 'string');
    if (all.length) out[key] = all.length === 1 ? all[0]! : all;
  }
  return out;
}

/** The string values of a form, for re-rendering what was typed after a refusal. */
export function typedValues(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of form) if (typeof v === 'string' && !(k in out)) out[k] = v;
  return out;
}

/** Validate form data against a schema; errors come back in field order, one per field. */
export function validateForm<S extends z.ZodType>(schema: S, form: FormData | Record<string, unknown>): { ok: true; data: z.output<S> } | { ok: false; errors: FieldError[] } {
  const input = form instanceof FormData ? formValues(form) : form;
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldError[] = [];
  for (const issue of result.error.issues) {
    const field = issue.path.map(String).join('.') || 'form';
    if (!errors.some((e) => e.field === field)) errors.push(fieldError(field, issue.message));
  }
  return { ok: false, errors };
}

/** Any value, present or absent: a browser leaves out unticked boxes and fields the form did not have (zod refuses an absent key otherwise). */
function anyField() {
  return z.preprocess((raw) => raw, z.unknown());
}

// Control characters other than tab, newline and carriage return.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFD]/;

/** Options for a text field. */
export interface TextOptions {
  /** What the field is called in messages, e.g. "Your name". */
  label: string;
  max: number;
  /** The message when empty; omit for an optional field. */
  required?: string;
  /** Keep line breaks (textareas). */
  multiline?: boolean;
  /** Refuse anything that looks like an HTML tag (free text from the public). */
  plain?: boolean;
  /** The language of the messages (default English). */
  lang?: string;
}

const TAG = /<\s*\/?\s*[a-z!?][^>]*>/i;

/** A single text answer: trimmed, one value, readable characters, at most `max` characters. */
export function text(options: TextOptions) {
  const say = (key: string) => translate(options.lang ?? 'en', key, { label: options.label, max: options.max });
  return anyField()
    .transform((raw, ctx): string => {
      if (Array.isArray(raw)) {
        ctx.addIssue({ code: 'custom', message: say('form.singleAnswer') });
        return z.NEVER;
      }
      if (raw !== undefined && raw !== null && typeof raw !== 'string') {
        ctx.addIssue({ code: 'custom', message: say('form.mustBeText') });
        return z.NEVER;
      }
      const s = (raw ?? '').replace(/\r\n/g, '\n');
      const value = options.multiline ? s.trim() : s.replace(/\s+/g, ' ').trim();
      if (CONTROL.test(value)) ctx.addIssue({ code: 'custom', message: say('form.unreadableCharacters') });
      else if (value.length > options.max) ctx.addIssue({ code: 'custom', message: say('form.tooLong') });
      else if (options.plain && TAG.test(value)) ctx.addIssue({ code: 'custom', message: say('form.noHtml') });
      else if (!value && options.required) ctx.addIssue({ code: 'custom', message: options.required });
      return value;
    });
}

/** Options for a secret field (passwords, one-time codes kept exactly as typed). */
export interface SecretOptions {
  label: string;
  max: number;
  /** The message when empty; omit for an optional field. */
  required?: string;
}

/** A password as typed: one value, not trimmed, at most `max` characters. */
export function secret(options: SecretOptions) {
  return anyField().transform((raw, ctx): string => {
    if (raw !== undefined && typeof raw !== 'string') {
      ctx.addIssue({ code: 'custom', message: `${options.label} must be a single answer` });
      return z.NEVER;
    }
    const value = raw ?? '';
    if (value.length > options.max) ctx.addIssue({ code: 'custom', message: `${options.label} must be ${options.max} characters or fewer` });
    else if (!value && options.required) ctx.addIssue({ code: 'custom', message: options.required });
    return value;
  });
}

/** One of a fixed set of values (radios, selects); `required` is the message when nothing is chosen. */
export function choice<const T extends string>(values: readonly T[], required: string) {
  return anyField().transform((raw, ctx): T => {
    if (raw === undefined || raw === '') {
      ctx.addIssue({ code: 'custom', message: required });
      return z.NEVER;
    }
    if (typeof raw !== 'string' || !values.includes(raw as T)) {
      ctx.addIssue({ code: 'custom', message: required });
      return z.NEVER;
    }
    return raw as T;
  });
}

/** An optional choice: undefined when nothing is chosen, refused when the value is not one of the set. */
export function optionalChoice<const T extends string>(values: readonly T[], invalid: string) {
  return anyField().transform((raw, ctx): T | undefined => {
    if (raw === undefined || raw === '') return undefined;
    if (typeof raw !== 'string' || !values.includes(raw as T)) {
      ctx.addIssue({ code: 'custom', message: invalid });
      return z.NEVER;
    }
    return raw as T;
  });
}

/** Checkboxes: zero or more of a fixed set. */
export function choices<const T extends string>(values: readonly T[], invalid: string) {
  return anyField().transform((raw, ctx): T[] => {
    const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    if (list.some((v) => typeof v !== 'string' || !values.includes(v as T))) {
      ctx.addIssue({ code: 'custom', message: invalid });
      return z.NEVER;
    }
    return [...new Set(list as T[])];
  });
}

/** A repeated field with free values (selected rows, tags to remove): the non-empty strings, at most `max` of them. */
export function strings(max = 500) {
  return anyField().transform((raw): string[] => (raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string' && v !== '').slice(0, max));
}
