/** Optional equality monitoring: answers are stored by month only, with a random id and no link to any report or person. */
import { getDatabase, getDb, toStatement } from '../../platform/db/client.ts';
import { equalityResponses } from '../../platform/db/schema.ts';
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

/** Store one set of answers against the current month only. */
export async function recordEquality(answers: Record<string, string>, now = Date.now()) {
  if (Object.keys(answers).length === 0) return;
  const month = londonMonth(now);
  await getDatabase().writer.batch([toStatement(getDb().insert(equalityResponses).values({ id: newSecret(16), month, data: answers }))]);
}
