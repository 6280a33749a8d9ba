/** HTML validity checks with html-validate's recommended rules, as every page test uses them. */
import { HtmlValidate } from 'html-validate';

const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: {
    // Astro writes `<!DOCTYPE html>` in upper case and void elements without a slash; both are valid HTML.
    'doctype-style': 'off',
    'void-style': 'off',
    // GOV.UK checkboxes share one name per question (the browser sends every checked value).
    'form-dup-name': ['error', { shared: ['radio', 'checkbox', 'button', 'reset', 'submit'] }],
  },
});

/** The problems html-validate finds in a page, one line each ("rule at line:column: message"); empty when valid. */
export async function htmlProblems(html: string, label: string): Promise<string[]> {
  const report = await validator.validateString(html, `${label}.html`);
  return report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId} at ${m.line}:${m.column}: ${m.message}`));
}
