/** Demo data for perception against reality: a closed "How safe do you feel" consultation with answers from every ward. */
import { createConsultation, saveSurvey, setPublished, submitResponse, type SurveyQuestion } from '../domains/consultations/index.ts';
import type { SiteConfig } from '../platform/config/partnership.ts';

const DAY = 86_400_000;
const system = { kind: 'system' as const };
const SURVEY: SurveyQuestion[] = [{ key: 'q1', type: 'safety', label: 'How safe do you feel', required: true, section: 1 }];
const ANSWERS = ['very-safe', 'fairly-safe', 'a-bit-unsafe', 'very-unsafe'];

/** Seed the closed safety consultation: six responses per ward, feeling less safe after dark, more so in some wards. */
export async function seedDemoPerception(config: SiteConfig, links: { baseUrl: string; partnership: string }, now: number): Promise<void> {
  const wards = config.areas.filter((a) => a.kind === 'ward').map((a) => ({ value: a.id, label: a.name }));
  const opensAt = now - 80 * DAY;
  const c = await createConsultation({
    title: 'How safe do you feel in your neighbourhood?', summary: 'A short survey of how safe residents feel in their ward, in daylight and after dark.',
    topic: 'feeling-safe', areaId: null, opensAt, closesAt: now - 30 * DAY, onePerEmail: false, aboutYou: false,
  }, system, opensAt - DAY);
  await saveSurvey(c.id, SURVEY, system, opensAt - DAY);
  await setPublished(c.id, true, system, opensAt - DAY);
  for (const [w, ward] of wards.entries()) {
    for (let i = 0; i < 6; i++) {
      // Ward w: 3 to 6 of its 6 respondents feel safe in daylight, 1 to 5 after dark.
      const day = ANSWERS[i < 3 + (w % 4) ? i % 2 : 2 + (i % 2)]!;
      const dark = ANSWERS[i < 1 + ((w * 3) % 5) ? i % 2 : 2 + (i % 2)]!;
      await submitResponse(c, SURVEY, { channel: i % 3 === 0 ? 'paper' : 'online', answers: { 'q1-ward': ward.value, 'q1-day': day, 'q1-dark': dark }, profile: {} }, wards, links, opensAt + (w * 6 + i) * 3_600_000);
    }
  }
}
