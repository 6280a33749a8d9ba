/** E-mail alerts as a section of the district and ward pages (the publishing registry): a link to subscribe. */
import { registerAreaSection } from '../../domains/publishing/index.ts';
import { getConfig } from '../../server/runtime.ts';

registerAreaSection({
  id: 'alerts',
  heading: 'E-mail alerts',
  empty: 'E-mail alerts are for a district or a ward: choose one from the list of areas.',
  list: async (ids) => {
    const area = getConfig().areas.find((a) => a.id === ids[0]);
    if (!area || area.kind === 'county') return [{ title: 'Get a weekly e-mail about a district or ward', href: '/alerts', summary: 'News, consultations, their results and public meetings. No account needed; unsubscribe in one click.' }];
    return [{ title: `Get a weekly e-mail about ${area.name}`, href: `/alerts?area=${encodeURIComponent(area.id)}`, summary: 'News, consultations, their results and public meetings. No account needed; unsubscribe in one click.' }];
  },
});
