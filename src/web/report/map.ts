/** Glue for the map pin on the report's where step: its settings, the page's Content-Security-Policy, and the pin's values. */
import type { AstroGlobal } from 'astro';
import { getConfig, getRuntime } from '../../server/runtime.ts';
import { mapSettings, tileOrigin, type MapSettings } from '../../platform/map.ts';
import { contentSecurityPolicy } from '../../platform/security/headers.ts';
import { errorFor, type FieldError } from '../../platform/forms/index.ts';
import { PIN_FIELD, type ReportAnswers } from '../../domains/reports/index.ts';

/** What the where step's map part renders: the settings (null: no map), the hidden fields' values and any error. */
export interface WhereMap {
  settings: MapSettings | null;
  lat: string;
  lon: string;
  error: string | undefined;
}

/**
 * The where step's map: when a tile server is configured, this response's Content-Security-Policy lets
 * images come from its origin (and only here). The pin's values are the ones just posted, else the draft's.
 */
export function whereMap(astro: AstroGlobal, answers: ReportAnswers, values: Record<string, string>, errors: readonly FieldError[]): WhereMap {
  const settings = mapSettings(getRuntime().env, getConfig().partnership);
  if (settings) astro.response.headers.set('Content-Security-Policy', contentSecurityPolicy([tileOrigin(settings.tileUrl)]));
  const posted = astro.request.method === 'POST';
  // Only a pin is shown again: coordinates from the postcode's centroid are not a pin the resident dropped.
  const pin = answers.locationSource === 'pin';
  return {
    settings,
    lat: posted ? (values.lat ?? '') : !pin || answers.lat === undefined ? '' : String(answers.lat),
    lon: posted ? (values.lon ?? '') : !pin || answers.lon === undefined ? '' : String(answers.lon),
    error: errorFor(errors, PIN_FIELD),
  };
}
