/** Glue for the editors' alert counts (/staff/publishing/alerts): confirmed subscribers per area, never addresses. */
import type { AstroGlobal } from 'astro';
import { countSubscribers } from '../../domains/alerts/index.ts';
import { areaAndWithin } from '../../domains/publishing/index.ts';
import { getConfig } from '../../server/runtime.ts';

/** Rows of districts and wards with their confirmed subscribers; a district editor sees their district's only. */
export async function loadAlertCounts(astro: AstroGlobal) {
  const { areas } = getConfig();
  const user = astro.locals.user!;
  const allowed = user.bindsDistrict ? areaAndWithin(areas, user.districtId ?? '') : areas.map((a) => a.id);
  const counts = await countSubscribers();
  const rows = areas
    .filter((a) => a.kind !== 'county' && allowed.includes(a.id))
    .map((a) => ({ id: a.id, name: a.name, kind: a.kind === 'district' ? 'District (includes its wards)' : 'Ward', subscribers: counts.get(a.id) ?? 0 }));
  return { rows, total: rows.reduce((n, r) => n + r.subscribers, 0) };
}
