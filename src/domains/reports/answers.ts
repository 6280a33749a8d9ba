/** Cleaning and checking of form values, shared by the resident and staff forms. */
import { parseEmailAddress } from '../../platform/mail/address.ts';

/** A message for one field: href points at the field for the error summary. */
export interface FieldError {
  field: string;
  href: string;
  text: string;
}

const TAG = /<\s*\/?\s*[a-z!?][^>]*>/i;
// Control characters other than tab, newline and carriage return.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** Collects field errors while reading a form. */
export class FormReader {
  errors: FieldError[] = [];
  private form: FormData;

  constructor(form: FormData) {
    this.form = form;
  }

  /** Record an error for a field (first error per field wins). */
  fail(field: string, text: string, anchor = field) {
    if (!this.errors.some((e) => e.field === field)) this.errors.push({ field, href: `#${anchor}`, text });
  }

  /** Error text for a field, if any. */
  error(field: string): string | undefined {
    return this.errors.find((e) => e.field === field)?.text;
  }

  /** A single text value: trimmed, length-checked, no markup, no unreadable characters. */
  text(field: string, label: string, options: { max: number; required?: string; multiline?: boolean; anchor?: string }): string {
    const all = this.form.getAll(field);
    if (all.length > 1) {
      this.fail(field, `${label} must be a single answer`, options.anchor);
      return '';
    }
    const raw = all[0];
    if (raw !== undefined && typeof raw !== 'string') {
      this.fail(field, `${label} must be text`, options.anchor);
      return '';
    }
    let value = (raw ?? '').replace(/\r\n/g, '\n');
    value = options.multiline ? value.trim() : value.replace(/\s+/g, ' ').trim();
    if (value.includes('\uFFFD')) this.fail(field, `${label} contains characters that cannot be read`, options.anchor);
    else if (CONTROL.test(value)) this.fail(field, `${label} contains characters that cannot be read`, options.anchor);
    else if (value.length > options.max) this.fail(field, `${label} must be ${options.max} characters or fewer`, options.anchor);
    else if (TAG.test(value)) this.fail(field, `${label} must not contain HTML or code`, options.anchor);
    else if (!value && options.required) this.fail(field, options.required, options.anchor);
    return value;
  }

  /** One of a fixed set of values (radios, selects). */
  choice<T extends string>(field: string, allowed: readonly T[], required: string | null, anchor = field): T | undefined {
    const all = this.form.getAll(field);
    if (all.length === 0 || all[0] === '') {
      if (required) this.fail(field, required, anchor);
      return undefined;
    }
    if (all.length > 1 || typeof all[0] !== 'string' || !allowed.includes(all[0] as T)) {
      this.fail(field, required ?? 'Select one of the options', anchor);
      return undefined;
    }
    return all[0] as T;
  }

  /** Uploaded files under a field name (empty file inputs are ignored). */
  files(field: string): File[] {
    return this.form.getAll(field).filter((v): v is File => typeof v !== 'string' && v.size > 0);
  }

  /** True when no error was recorded. */
  get ok() {
    return this.errors.length === 0;
  }
}

/** Exactly one e-mail address, normalised, or null (the one parser: src/platform/mail/address.ts). */
export function normaliseEmail(input: string): string | null {
  return parseEmailAddress(input);
}
