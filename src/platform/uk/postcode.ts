/** UK postcodes: validate, normalise and find the ward in the local gazetteer. */
import type { Gazetteer } from '../config/partnership.ts';

const POSTCODE = /^([A-Z]{1,2}[0-9][0-9A-Z]?)([0-9][A-Z]{2})$/;

/** A postcode sector as the gazetteer writes it: outward code, space, sector digit ("HW1 2"). */
export const POSTCODE_SECTOR = /^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9]$/;

/** Normalise a UK postcode to "AB1 2CD" form, or null if it is not one. */
export function normalisePostcode(input: string): string | null {
  const compact = input.toUpperCase().replace(/[^A-Z0-9]/g, '');
  const match = POSTCODE.exec(compact);
  if (!match) return null;
  return `${match[1]} ${match[2]}`;
}

/** The ward for a normalised postcode from the gazetteer's postcode sectors, or null. */
export function wardForPostcode(postcode: string, gazetteer: Gazetteer): string | null {
  const sector = postcode.slice(0, postcode.length - 2);
  return gazetteer.postcodeSectors[sector] ?? null;
}

/** The ward whose known place or street names appear in a description, or null when none or several match. */
export function wardForPlace(text: string, gazetteer: Gazetteer): string | null {
  const t = text.toLowerCase();
  const wards = new Set<string>();
  for (const place of gazetteer.places) {
    const name = place.name.toLowerCase().split(',')[0]!.trim();
    if (name.length >= 4 && t.includes(name)) wards.add(place.ward);
  }
  return wards.size === 1 ? [...wards][0]! : null;
}
