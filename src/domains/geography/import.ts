/**
 * The geography import (npm run geo:import): the ONS ward lookup and ward populations update the configured
 * areas (content/config/areas.json, written only when asked), and the ONS Postcode Directory replaces the
 * postcode table with the partnership's live postcodes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Area, SiteConfig } from '../../platform/config/partnership.ts';
import { mergeAreas, readWardLookup, readWardPopulations, type AreaChanges, type PostcodeReadStats } from './ons.ts';
import { importPostcodes } from './postcodes.ts';

/** The files to import and what to do with them. */
export interface GeographyImport {
  /** An ONS Postcode Directory CSV (ONSPD_..._UK.csv, or one of its multi_csv parts). */
  postcodes?: string;
  /** An ONS ward to local authority district lookup CSV (WDyyCD, WDyyNM, LADyyCD, LADyyNM). */
  wards?: string;
  /** Ward population estimates CSV (WDyyCD and Total). */
  populations?: string;
  /** Write the updated areas to content/config/areas.json (otherwise only report the changes). */
  updateAreas?: boolean;
}

/** What an import did. */
export interface GeographyImportResult {
  areas: Area[];
  changes: AreaChanges | null;
  areasWritten: boolean;
  postcodes: PostcodeReadStats | null;
}

/** The areas as areas.json writes them: one area per block, age bands on one line. */
export function formatAreasJson(areas: Area[]): string {
  const block = (a: Area) => {
    const lines = Object.entries(a).filter(([, v]) => v !== undefined).map(([k, v]) => `    ${JSON.stringify(k)}: ${k === 'ageBands' ? JSON.stringify(v).replace(/^\{/, '{ ').replace(/\}$/, ' }').replace(/,"/g, ', "').replace(/":/g, '": ') : JSON.stringify(v)}`);
    return `  {\n${lines.join(',\n')}\n  }`;
  };
  return `[\n${areas.map(block).join(',\n')}\n]\n`;
}

/** Run an import against the partnership's configuration (the postcode table needs an open database). */
export async function importGeography(files: GeographyImport, config: Pick<SiteConfig, 'areas'>, contentDir: string): Promise<GeographyImportResult> {
  let areas = config.areas;
  let changes: AreaChanges | null = null;
  if (files.wards || files.populations) {
    const lookup = files.wards ? await readWardLookup(files.wards) : [];
    const populations = files.populations ? await readWardPopulations(files.populations) : new Map<string, number>();
    ({ areas, changes } = mergeAreas(areas, lookup, populations));
  }
  const areasWritten = !!files.updateAreas && changes !== null;
  if (areasWritten) writeFileSync(join(contentDir, 'config', 'areas.json'), formatAreasJson(areas));
  const postcodes = files.postcodes ? await importPostcodes(files.postcodes, { areas: areasWritten ? areas : config.areas }) : null;
  return { areas, changes, areasWritten, postcodes };
}
