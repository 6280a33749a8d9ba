/** Consultations and public meetings as sections of the county, district and ward pages (the publishing registry). */
import { listConsultationsForArea, listMeetingsForArea, meetingWhen, STATE_LABELS } from '../../domains/consultations/index.ts';
import { registerAreaSection } from '../../domains/publishing/index.ts';

registerAreaSection({
  id: 'consultations',
  heading: 'Consultations',
  empty: 'There are no consultations about this area.',
  list: async (ids, now) => (await Promise.all(ids.map((id) => listConsultationsForArea(id, now)))).flat().map((c) => ({ title: c.title, href: `/consultations/${c.slug}`, summary: `${STATE_LABELS[c.state]}. ${c.summary}` })),
});

registerAreaSection({
  id: 'meetings',
  heading: 'Public meetings',
  empty: 'No public meetings are planned in this area.',
  list: async (ids, now) => (await Promise.all(ids.map((id) => listMeetingsForArea(id, now)))).flat().sort((a, b) => a.startsAt - b.startsAt).map((m) => ({ title: m.title, href: `/meetings/${m.id}`, summary: `${meetingWhen(m)}, ${m.place}` })),
});
