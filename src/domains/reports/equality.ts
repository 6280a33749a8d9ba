/** Optional equality monitoring: answers are stored by month only, with a random id and no link to any report or person. */
import type { InStatement } from '@libsql/client';
import { getDatabase } from '../../platform/db/client.ts';
import { newSecret } from '../../platform/security/ids.ts';
import { londonMonth } from '../../platform/time/london.ts';

const prefer = { value: 'prefer-not', label: 'Prefer not to say' };

/** The questions (GSS harmonised categories, shortened for England). */
export const EQUALITY_QUESTIONS = [
  { name: 'age', legend: 'What is your age?', options: [{ value: 'under-18', label: 'Under 18' }, { value: '18-24', label: '18 to 24' }, { value: '25-44', label: '25 to 44' }, { value: '45-64', label: '45 to 64' }, { value: '65-plus', label: '65 or over' }, prefer] },
  { name: 'sex', legend: 'What is your sex?', options: [{ value: 'female', label: 'Female' }, { value: 'male', label: 'Male' }, prefer] },
  { name: 'disability', legend: 'Do you have a physical or mental health condition or illness lasting or expected to last 12 months or more?', options: [{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }, prefer] },
  { name: 'ethnicity', legend: 'What is your ethnic group?', options: [{ value: 'asian', label: 'Asian or Asian British' }, { value: 'black', label: 'Black, Black British, Caribbean or African' }, { value: 'mixed', label: 'Mixed or multiple ethnic groups' }, { value: 'white', label: 'White' }, { value: 'other', label: 'Other ethnic group' }, prefer] },
] as const satisfies readonly { name: string; legend: string; options: readonly { value: string; label: string }[] }[];

/**
 * Store one set of answers against the current month only, once per report: in one write, the draft is
 * marked done only if it was not already, and the answers are inserted only if that mark was made, so
 * parallel submissions for the same report store one row. Returns false when the draft was already done.
 */
export async function recordEqualityOnce(draftId: string, answers: Record<string, string>, now = Date.now()): Promise<boolean> {
  const month = londonMonth(now);
  const stmts: InStatement[] = [
    {
      sql: "UPDATE drafts SET data = json_set(data, '$.equalityDone', json('true')), updated_at = ? WHERE id = ? AND json_extract(data, '$.equalityDone') IS NULL",
      args: [now, draftId],
    },
  ];
  // changes() is the row count of the statement just before, the UPDATE above, in the same transaction.
  if (Object.keys(answers).length > 0) {
    stmts.push({ sql: 'INSERT INTO equality_responses (id, month, data) SELECT ?, ?, ? WHERE changes() = 1', args: [newSecret(16), month, JSON.stringify(answers)] });
  }
  const [marked] = await getDatabase().writer.batch(stmts);
  return marked!.rowsAffected === 1;
}
