/** Helpers for the consultation integration tests: date fields and a published one-question consultation. */
import assert from 'node:assert/strict';
import type { Visitor } from '../helpers/http.ts';

/** Day, month, year and time fields of a date question, days from now. */
export function dateFields(name: string, daysFromNow: number, time = '9am'): Record<string, string> {
  const d = new Date(Date.now() + daysFromNow * 86_400_000);
  return { [`${name}-day`]: String(d.getUTCDate()), [`${name}-month`]: String(d.getUTCMonth() + 1), [`${name}-year`]: String(d.getUTCFullYear()), [`${name}-time`]: time };
}

/** Create a consultation open now (one single-choice question, q1: Yes or No) and, unless told, publish it; returns its id and slug. */
export async function openConsultation(editor: Visitor, title: string, options: { onePerEmail?: boolean; aboutYou?: boolean; publish?: boolean } = {}): Promise<{ id: string; slug: string }> {
  const created = await editor.post('/staff/consultations', {
    title, summary: `About ${title}.`, topic: 'feeling-safe', areaId: '', ...dateFields('opens', -1), ...dateFields('closes', 30, '5pm'),
    onePerEmail: options.onePerEmail ? 'yes' : 'no', aboutYou: options.aboutYou === false ? 'no' : 'yes',
  });
  assert.equal(created.status, 303, 'consultation created');
  const id = created.headers.get('location')!.split('/')[3]!.split('?')[0]!;
  const added = await editor.post(`/staff/consultations/${id}`, { intent: 'add', type: 'single', label: 'Do you feel safe?', required: 'yes', section: '1', options: 'Yes\nNo', hint: '', max: '', points: '', showWhen: '' });
  assert.equal(added.status, 303, 'question added');
  if (options.publish !== false) assert.equal((await editor.post(`/staff/consultations/${id}`, { intent: 'publish' })).status, 303, 'published');
  const page = await (await editor.get(`/staff/consultations/${id}`)).text();
  const slug = /href="\/consultations\/([a-z0-9-]+)"/.exec(page)![1]!;
  return { id, slug };
}
