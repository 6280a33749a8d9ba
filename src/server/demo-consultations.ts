/** Demo consultations for Hollowmere: one open (with a meeting), one forthcoming, one with its results published. */
import { addMeeting, addTheme, countedResponses, createConsultation, listThemes, publishResults, saveSurvey, setPublished, submitResponse, tagAnswer, type SurveyQuestion } from '../domains/consultations/index.ts';
import type { SiteConfig } from '../platform/config/partnership.ts';

const DAY = 86_400_000;
const system = { kind: 'system' as const };

const yesNo = [{ value: '1', label: 'Yes' }, { value: '2', label: 'No' }];

const NIGHT_SURVEY: SurveyQuestion[] = [
  { key: 'q1', type: 'single', label: 'Do you go out in the evening in your area?', required: true, section: 1, options: yesNo },
  { key: 'q2', type: 'safety', label: 'How safe do you feel', required: true, section: 2 },
  { key: 'q3', type: 'multiple', label: 'What would make you feel safer?', required: false, section: 2, options: [{ value: '1', label: 'Better lighting' }, { value: '2', label: 'More patrols' }, { value: '3', label: 'CCTV' }, { value: '4', label: 'Late buses' }] },
  { key: 'q4', type: 'text', label: 'Where do you avoid after dark, and why?', required: false, section: 3, max: 1000, showWhen: { key: 'q1', in: ['1'] } },
];

const LIGHTING_SURVEY: SurveyQuestion[] = [
  { key: 'q1', type: 'ranking', label: 'Put these places in order for new lighting', required: true, section: 1, options: [{ value: '1', label: 'Footpaths' }, { value: '2', label: 'Car parks' }, { value: '3', label: 'Parks' }] },
  { key: 'q2', type: 'rating', label: 'How good is street lighting where you live?', required: true, section: 1, points: 5 },
  { key: 'q3', type: 'text', label: 'Anything else about lighting?', required: false, section: 2, max: 500 },
];

/** Seed the demo consultations (only into an empty demo database). */
export async function seedDemoConsultations(config: SiteConfig, links: { baseUrl: string; partnership: string }, now: number): Promise<void> {
  const wards = config.areas.filter((a) => a.kind === 'ward').map((a) => ({ value: a.id, label: a.name }));
  const open = await createConsultation({
    title: 'Feeling safe after dark in Eastmere', summary: 'Tell us where you feel safe or unsafe in the evening, and what would help. We will use your answers to plan patrols and lighting.',
    topic: 'feeling-safe', areaId: 'eastmere', opensAt: now - 7 * DAY, closesAt: now + 21 * DAY, onePerEmail: false, aboutYou: true,
  }, system, now);
  await saveSurvey(open.id, NIGHT_SURVEY, system, now);
  await setPublished(open.id, true, system, now);
  const evening = now + 10 * DAY - ((now + 10 * DAY) % DAY) + 18 * 3_600_000;
  await addMeeting(open.id, { title: 'Eastmere evening safety meeting', startsAt: evening, endsAt: evening + 90 * 60_000, place: 'Eastmere Harbour Community Centre, Quayside', areaId: 'eastmere-harbour', stepFree: true, hearingLoop: true, accessNotes: 'Accessible toilet. British Sign Language interpreter on request.', capacity: 40 }, system, now);

  const soon = await createConsultation({
    title: 'Activities for young people in Thornwick', summary: 'What should the partnership fund for young people in the evenings and school holidays?',
    topic: 'young-people', areaId: 'thornwick', opensAt: now + 14 * DAY, closesAt: now + 50 * DAY, onePerEmail: true, aboutYou: true,
  }, system, now);
  await saveSurvey(soon.id, [{ key: 'q1', type: 'text', label: 'What would you like to see?', required: true, section: 1, max: 1000 }], system, now);
  await setPublished(soon.id, true, system, now);

  const done = await createConsultation({
    title: 'Street lighting priorities', summary: 'We asked where new and brighter street lighting would make the most difference.',
    topic: 'streets-and-spaces', areaId: null, opensAt: now - 90 * DAY, closesAt: now - 40 * DAY, onePerEmail: false, aboutYou: true,
  }, system, now - 95 * DAY);
  await saveSurvey(done.id, LIGHTING_SURVEY, system, now - 95 * DAY);
  await setPublished(done.id, true, system, now - 95 * DAY);
  const channels = ['online', 'online', 'online', 'paper', 'phone', 'meeting'] as const;
  const comments = ['The underpass is pitch black', 'Car park lights are always broken', '', 'Park paths feel unsafe in winter'];
  for (let i = 0; i < 36; i++) {
    const order = [['1', '2', '3'], ['2', '1', '3'], ['1', '3', '2'], ['3', '1', '2']][i % 4]!;
    const text = comments[i % comments.length];
    await submitResponse(done, LIGHTING_SURVEY, {
      channel: channels[i % channels.length]!, answers: { q1: order, q2: String((i % 5) + 1), ...(text ? { q3: text } : {}) },
      profile: { ageBand: ['18-24', '25-44', '45-64', '65-plus'][i % 4], wardId: wards[(i * 5) % wards.length]!.value },
    }, wards, links, now - 60 * DAY + i * 3_600_000);
  }
  await addTheme(done.id, 'Dark paths and underpasses', system, now - 39 * DAY);
  const [theme] = await listThemes(done.id);
  for (const r of (await countedResponses(done.id)).filter((x) => /underpass|paths/.test(String(x.answers.q3 ?? '')))) await tagAnswer(done.id, r.id, 'q3', [theme!.id], system, now - 39 * DAY);
  await publishResults(done.id, {
    youSaid: 'Footpaths came first for most people, then car parks. Many of you named dark underpasses and park paths.',
    weDid: 'We asked the county council to relight four underpasses and the main park paths this winter, and to repair car park lights within a week of a report.',
    links: [{ title: 'Underpass relighting (improvement plan)', url: '/consultations' }],
  }, system, now - 30 * DAY);
}
