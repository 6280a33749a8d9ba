/**
 * What a county, district or ward page gathers, as a small registry: each section names itself and lists its
 * entries for a set of area ids. Publishing registers achievements, initiatives and the improvement plan;
 * other domains (consultations, meetings) add their own section with registerAreaSection.
 */

/** One entry a section lists. */
export interface AreaEntry {
  title: string;
  href: string;
  summary?: string;
  date?: string;
}

/** A section of an area page. */
export interface AreaSection {
  id: string;
  heading: string;
  /** Shown when the section has no entries for the area. */
  empty: string;
  /** Entries for the area and the areas within or above it (ids given), at `now`. */
  list: (areaIds: readonly string[], now: number) => Promise<AreaEntry[]>;
}

const sections: AreaSection[] = [];

/** Add a section to every area page (once per id; a later one with the same id replaces it). */
export function registerAreaSection(section: AreaSection): void {
  const i = sections.findIndex((s) => s.id === section.id);
  if (i >= 0) sections[i] = section;
  else sections.push(section);
}

/** The registered sections in order. */
export function areaSections(): readonly AreaSection[] {
  return sections;
}
