/** Test helpers for insight: London months relative to now, and cases and safety consultations written straight into a database file. */
import type { Client } from '@libsql/client';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';
import { londonMonth, londonTime } from '../../src/platform/time/london.ts';

const districtOf = new Map(loadSiteConfig('content').areas.filter((a) => a.kind === 'ward').map((w) => [w.id, w.parent!]));

/** The London month `k` months from now (0 is this month) and its first instant. */
export function month(k: number): { id: string; start: number; end: number } {
  const [y, m] = londonMonth(Date.now()).split('-').map(Number) as [number, number];
  const at = (i: number) => londonTime(Math.floor(i / 12), (i % 12) + 1, 1, 0);
  const i = y * 12 + (m - 1) + k;
  return { id: `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`, start: at(i), end: at(i + 1) };
}

let seq = 0;
/** Insert cases straight into the database file. */
export async function insertCases(db: Client, n: number, c: { ward: string | null; category: string; at: number; status?: string; priority?: string; flags?: string[]; agency?: string; resolution?: string }): Promise<void> {
  for (let k = 0; k < n; k++, seq++) {
    const at = c.at + seq * 60_000;
    await db.execute({
      sql: `INSERT INTO cases (id, ref, kind, status, status_changed_at, channel, category_id, privacy, description, ward_id, district_id, received_at, updated_at, resolution_code, priority, flags, referred_agency_id)
            VALUES (?, ?, 'report', ?, ?, 'web', ?, 'named', 'x', ?, ?, ?, ?, ?, ?, ?, ?)`,
      args: [`hot${String(seq).padStart(6, '0')}`, `HM-H${String(seq).padStart(6, '0')}`, c.status ?? 'new', at, c.category, c.ward, c.ward ? districtOf.get(c.ward)! : null, at, at, c.resolution ?? null, c.priority ?? null, JSON.stringify(c.flags ?? []), c.agency ?? null],
    });
  }
}

let consultationSeq = 0;
/** Insert a consultation with a safety question (key q1) and responses [ward, daylight, after dark, state]. */
export async function insertConsultation(db: Client, c: { status: string; closesAt: number }, responses: [string, string, string, string?][]): Promise<void> {
  const id = `cons${consultationSeq++}`;
  const survey = [{ key: 'q1', type: 'safety', label: 'How safe do you feel', required: true, section: 1 }];
  await db.execute({
    sql: "INSERT INTO consultations (id, slug, title, topic, status, opens_at, closes_at, questions, created_at, updated_at) VALUES (?, ?, ?, 'feeling-safe', ?, ?, ?, ?, ?, ?)",
    args: [id, id, `Safety survey ${id}`, c.status, c.closesAt - 30 * 86_400_000, c.closesAt, JSON.stringify(survey), c.closesAt - 40 * 86_400_000, c.closesAt - 40 * 86_400_000],
  });
  for (const [i, [ward, day, dark, state]] of responses.entries()) {
    await db.execute({
      sql: "INSERT INTO consultation_responses (id, consultation_id, channel, answers, state, submitted_at) VALUES (?, ?, 'online', ?, ?, ?)",
      args: [`${id}r${i}`, id, JSON.stringify({ 'q1-ward': ward, 'q1-day': day, 'q1-dark': dark }), state ?? 'counted', c.closesAt - 86_400_000],
    });
  }
}
