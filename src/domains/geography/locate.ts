/**
 * Where a postcode is: a known postcode of the partnership (ward and coordinates from the postcode table), one of
 * its postcode districts that the table does not list (the gazetteer's sector then gives the ward), or outside
 * the partnership, with the neighbouring authority to report to instead (content/config/neighbours.json).
 */
import type { Neighbour, SiteConfig } from '../../platform/config/partnership.ts';
import { wardForPostcode } from '../../platform/uk/postcode.ts';
import { findPostcode, isKnownOutwardCode, outwardCode } from './postcodes.ts';

/** GOV.UK's service that finds the council for any UK postcode. */
export const FIND_LOCAL_COUNCIL_URL = 'https://www.gov.uk/find-local-council';

/** Where a postcode lies for this partnership. */
export type PostcodeLocation =
  | { kind: 'known'; wardId: string; lat: number | null; lon: number | null }
  | { kind: 'in-area'; wardId: string | null }
  | { kind: 'out-of-area'; neighbour: Neighbour | null };

/** True when the gazetteer has a postcode sector of this outward code ("HW1 2" for "HW1"). */
function gazetteerHasOutward(outward: string, config: Pick<SiteConfig, 'gazetteer'>): boolean {
  return Object.keys(config.gazetteer.postcodeSectors).some((sector) => outwardCode(sector) === outward);
}

/** The neighbouring authority for a postcode outside the area: the longest matching postcode district or area prefix. */
export function neighbourFor(postcode: string, neighbours: Neighbour[]): Neighbour | null {
  const outward = outwardCode(postcode);
  const area = /^[A-Z]+/.exec(postcode)?.[0] ?? '';
  let best: { n: Neighbour; length: number } | null = null;
  for (const n of neighbours) {
    for (const prefix of n.postcodePrefixes) {
      const hit = /\d/.test(prefix) ? prefix === outward : prefix === area;
      if (hit && (!best || prefix.length > best.length)) best = { n, length: prefix.length };
    }
  }
  return best?.n ?? null;
}

/** Where a normalised postcode lies: known (table), in the area (its district is ours), or out of the area. */
export function locatePostcode(postcode: string, config: Pick<SiteConfig, 'gazetteer' | 'neighbours'>): PostcodeLocation {
  const known = findPostcode(postcode);
  if (known) return { kind: 'known', ...known };
  const outward = outwardCode(postcode);
  if (isKnownOutwardCode(outward) || gazetteerHasOutward(outward, config)) return { kind: 'in-area', wardId: wardForPostcode(postcode, config.gazetteer) };
  return { kind: 'out-of-area', neighbour: neighbourFor(postcode, config.neighbours) };
}

/** The message a call handler sees for a postcode outside the area (the call screen shows it as an error). */
export function outOfAreaMessage(postcode: string, config: Pick<SiteConfig, 'partnership' | 'gazetteer' | 'neighbours'>): string {
  const neighbour = neighbourFor(postcode, config.neighbours);
  const where = neighbour ? `Report it to ${neighbour.name} (${neighbour.reportUrl})` : 'Report it to the local council for that area (find it at www.gov.uk/find-local-council)';
  return `${postcode} is not in the area ${config.partnership.name} covers. ${where}, or call ${config.partnership.phones.nonEmergency.number} about a crime`;
}
