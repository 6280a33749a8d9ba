/** The partnership's own settings (content/config/*.json), validated with zod at start. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './env.ts';
import { POSTCODE_SECTOR } from '../uk/postcode.ts';

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and hyphens');

const phoneSchema = z.object({
  label: z.string().min(1),
  number: z.string().min(3),
  hint: z.string().default(''),
});

const partnershipSchema = z.object({
  name: z.string().min(3),
  shortName: z.string().min(2),
  council: z.string().min(3),
  email: z.email(),
  /** The triage team's inbox: overdue referrals are escalated here. Defaults to `email`. */
  triageEmail: z.email().optional(),
  phones: z.object({
    emergency: phoneSchema,
    nonEmergency: phoneSchema,
    crimestoppers: phoneSchema,
    hotline: phoneSchema.extend({ hours: z.string().min(3), textRelay: z.string().min(3) }),
  }),
  referencePrefix: z.string().regex(/^[A-Z]{2,3}$/),
  reopenWindowDays: z.number().int().min(0).max(365),
  retentionDays: z.object({
    closedCases: z.number().int().min(30),
    drafts: z.number().int().min(1),
    /** Calls logged without a case; defaults to closedCases. */
    calls: z.number().int().min(30).optional(),
    /** Longer periods for some case types: a category id, or "feedback". */
    byCaseType: z.record(z.string(), z.number().int().min(30)).default({}),
  }),
  /** The map pin on the report's where step: its first view, and the box a pin may be dropped in (WGS84 decimal degrees). The tile server is MAP_TILE_URL. */
  map: z
    .object({
      centre: z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }),
      zoom: z.number().int().min(1).max(22),
      bounds: z
        .object({ south: z.number().min(-90).max(90), west: z.number().min(-180).max(180), north: z.number().min(-90).max(90), east: z.number().min(-180).max(180) })
        .refine((b) => b.south < b.north && b.west < b.east, { message: 'south must be below north and west left of east' }),
    })
    .refine((m) => m.centre.lat >= m.bounds.south && m.centre.lat <= m.bounds.north && m.centre.lon >= m.bounds.west && m.centre.lon <= m.bounds.east, { message: 'the centre must be inside the bounds' })
    .optional(),
  /** Open311: the jurisdiction ids this install answers for (the first is the partnership's own); defaults to the e-mail domain. */
  open311: z.object({ jurisdictions: z.array(z.string().regex(/^[a-z0-9][a-z0-9.-]*$/)).min(1) }).optional(),
  /** Nearby cases (case page and the resident's "already reported" step): how far, and how many months back. */
  nearby: z.object({ radiusMetres: z.number().int().min(10).max(5000), months: z.number().int().min(1).max(24) }).default({ radiusMetres: 300, months: 6 }),
});

/** The age bands of population figures, the same as the consultations' optional "about you" age question. */
export const POPULATION_AGE_BANDS = ['under-18', '18-24', '25-44', '45-64', '65-plus'] as const;

const areaSchema = z.object({
  id: slug,
  name: z.string().min(2),
  /** The area's official ONS (GSS) code, nine characters: E05... for a ward, E06-E09 or W06 for a district. Required (checked in crossCheck). */
  onsCode: z.string().regex(/^[ENSW]\d{8}$/, 'must be a nine-character ONS code, like E05999001').optional(),
  kind: z.enum(['county', 'district', 'ward']),
  parent: slug.optional(),
  population: z.number().int().min(0),
  /** Population by age band (every band), for seeing who is not responding to consultations; they sum to at most the population. */
  ageBands: z.strictObject(Object.fromEntries(POPULATION_AGE_BANDS.map((b) => [b, z.number().int().min(0)])) as Record<(typeof POPULATION_AGE_BANDS)[number], z.ZodNumber>).optional(),
});

/** The parts of a case a sharing agreement may let an agency receive. */
export const SHARE_FIELDS = ['category', 'description', 'when', 'location', 'people', 'photos', 'priority', 'contact'] as const;

/** One shareable part of a case. */
export type ShareField = (typeof SHARE_FIELDS)[number];

const sharingSchema = z.object({
  reference: z.string().min(2),
  legalBasis: z.string().min(5),
  reviewDate: z.iso.date(),
  fields: z.array(z.enum(SHARE_FIELDS)).min(1),
  /** Contact details go only when the reporter consented to sharing (and is not anonymous). */
  contactNeedsConsent: z.boolean().default(true),
});

const agencySchema = z.object({
  id: slug,
  name: z.string().min(2),
  kind: z.enum(['police', 'council_asb', 'fire', 'highways', 'housing', 'yot', 'environment', 'health', 'other']),
  email: z.email().optional(),
  publicNameVisible: z.boolean().default(true),
  /** Referral targets in working days: acknowledge, then complete. */
  targets: z.object({ acknowledgeWorkingDays: z.number().positive(), completeWorkingDays: z.number().positive() }).default({ acknowledgeWorkingDays: 1, completeWorkingDays: 20 }),
  /** The information-sharing agreement; without one, nothing can be referred to the agency. */
  sharing: sharingSchema.optional(),
  /**
   * An Open311 GeoReport v2 endpoint that receives this agency's referrals (src/domains/referrals/open311-delivery.ts):
   * the base URL (before `/requests.json`), an optional jurisdiction, the service code to post to, the name of the
   * environment variable holding the API key (never the key itself: any other field, `apiKey` too, is refused), and
   * fixed attributes to send with each request.
   */
  open311: z.strictObject({
    endpoint: z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, '')),
    jurisdictionId: z.string().min(1).max(200).optional(),
    serviceCode: z.string().min(1).max(200),
    apiKeyEnv: z.string().regex(/^[A-Z][A-Z0-9_]{0,99}$/, 'must be the name of an environment variable, like HIGHWAYS_OPEN311_KEY'),
    attributes: z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/), z.string().max(500)).default({}),
  }).optional(),
});

const categorySchema = z.object({
  id: slug,
  name: z.string().min(2),
  hint: z.string().default(''),
  sensitive: z.boolean().default(false),
  /** Open311: reports in a public category may be listed (ward and status only) by the public GET requests. */
  public: z.boolean().default(false),
  emergency: z.boolean().default(false),
  agencies: z.array(slug).min(1),
  defaultPriority: z.enum(['P1', 'P2', 'P3', 'P4']).default('P3'),
  advice: slug.optional(),
  /** The group the public statistics count the category in (sensitive categories only at district level). */
  group: z.string().min(2).default('Other'),
});

const targetSchema = z.object({
  label: z.string(),
  acknowledgeHours: z.number().positive(),
  triageWorkingDays: z.number().positive(),
  updateWorkingDays: z.number().positive(),
  resolveWorkingDays: z.number().positive(),
});

/** The dashboard measures a SMART target may be set on (src/domains/insight/targets.ts reads each from the dashboard figures). */
export const TARGET_MEASURES = [
  'reports', 'acknowledge_met', 'triage_met', 'update_met', 'resolve_met', 'median_acknowledge_hours', 'median_resolve_days',
  'referrals_acknowledged_on_time', 'calls_abandoned', 'repeat_victims', 'case_reviews', 'consultation_responses',
] as const;

/** A SMART target on one dashboard measure: what, how much, which way, over what period, by when. */
const measureTargetSchema = z.object({
  id: slug,
  measure: z.enum(TARGET_MEASURES),
  description: z.string().min(10),
  target: z.number().min(0),
  direction: z.enum(['at_least', 'at_most']),
  period: z.enum(['month', 'quarter']),
  deadline: z.iso.date(),
});

const targetsSchema = z.object({
  priorities: z.object({ P1: targetSchema, P2: targetSchema, P3: targetSchema, P4: targetSchema }),
  measures: z.array(measureTargetSchema).default([]).refine((xs) => new Set(xs.map((x) => x.id)).size === xs.length, 'target ids must be unique'),
  publicPromise: z.string().min(10),
  workingHours: z.object({ start: z.number().int().min(0).max(23), end: z.number().int().min(1).max(24) }),
  bankHolidays: z.array(z.iso.date()),
});

const gazetteerSchema = z.object({
  postcodeSectors: z.record(z.string().regex(POSTCODE_SECTOR), slug),
  places: z.array(z.object({ name: z.string().min(2), ward: slug })),
});

/** A neighbouring authority and the postcode areas or districts ("HX", "HW9") whose reports go to it. */
const neighbourSchema = z.object({
  name: z.string().min(2),
  /** Postcode areas (letters, "HX") or districts (outward codes, "HW9"); the longest match wins. */
  postcodePrefixes: z.array(z.string().regex(/^[A-Z]{1,2}([0-9][0-9A-Z]?)?$/, 'must be a postcode area or district, like HX or HW9')).min(1),
  /** Where residents report community safety problems to them. */
  reportUrl: z.url({ protocol: /^https?$/ }),
});

/** Where to send residents whose postcode is outside the partnership (content/config/neighbours.json; optional). */
const neighboursSchema = z.array(neighbourSchema).default([]);

/** The emerging hot-spot rule's parameters (content/config/hot-spots.json; see src/domains/insight/hot-spots.ts). */
const hotSpotsSchema = z.object({
  /** How many months before the tested month make a ward's usual level. */
  baselineMonths: z.number().int().min(2).max(24).default(6),
  /** The fewest reports in the month that can be flagged, however quiet the months before were. */
  minimumCount: z.number().int().min(1).default(3),
  /** How unlikely the count must be by chance, at the ward's usual rate, to be flagged (0.01 is 1 in 100). */
  chance: z.number().gt(0).max(0.2).default(0.01),
});

/** A partnership's validated configuration. */
export type Partnership = z.infer<typeof partnershipSchema>;
export type Area = z.infer<typeof areaSchema>;
export type Agency = z.infer<typeof agencySchema>;
export type SharingAgreement = z.infer<typeof sharingSchema>;
export type Category = z.infer<typeof categorySchema>;
export type Targets = z.infer<typeof targetsSchema>;
export type MeasureTarget = z.infer<typeof measureTargetSchema>;
export type Gazetteer = z.infer<typeof gazetteerSchema>;
export type HotSpotSettings = z.infer<typeof hotSpotsSchema>;
export type Neighbour = z.infer<typeof neighbourSchema>;

/** Everything under content/config, cross-checked. */
export interface SiteConfig {
  partnership: Partnership;
  areas: Area[];
  agencies: Agency[];
  categories: Category[];
  targets: Targets;
  gazetteer: Gazetteer;
  hotSpots: HotSpotSettings;
  neighbours: Neighbour[];
}

function readJson(dir: string, file: string): unknown {
  const path = join(dir, 'config', file);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`content/config/${file}: cannot be read as JSON (${(error as Error).message})`);
  }
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ConfigError(`content/config/${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return result.data;
}

function unique(ids: string[], file: string) {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new ConfigError(`content/config/${file}: duplicate id '${id}'`);
    seen.add(id);
  }
}

/** The ONS code prefixes each kind of area may have (a county may be a county or a unitary authority). */
const ONS_PREFIXES: Record<Area['kind'], RegExp> = { county: /^(E10|E06|E11|E47|W06|S12)/, district: /^(E06|E07|E08|E09|W06|S12|N09)/, ward: /^(E05|W05|S13|N08)/ };

/** Every area has its own ONS code, of a prefix fitting its kind. */
function checkOnsCodes(areas: Area[]) {
  const seen = new Set<string>();
  areas.forEach((a, i) => {
    if (!a.onsCode) throw new ConfigError(`content/config/areas.json: areas[${i}] '${a.id}' needs its ONS code (onsCode, like E05999001)`);
    if (!ONS_PREFIXES[a.kind].test(a.onsCode)) throw new ConfigError(`content/config/areas.json: areas[${i}] '${a.id}' has ONS code ${a.onsCode}, which is not a ${a.kind} code`);
    if (seen.has(a.onsCode)) throw new ConfigError(`content/config/areas.json: ONS code ${a.onsCode} is used twice`);
    seen.add(a.onsCode);
  });
}

/** Check references between the files (categories name agencies, wards name districts). */
export function crossCheck(config: SiteConfig): SiteConfig {
  unique(config.areas.map((a) => a.id), 'areas.json');
  unique(config.agencies.map((a) => a.id), 'agencies.json');
  unique(config.categories.map((c) => c.id), 'categories.json');
  const agencyIds = new Set(config.agencies.map((a) => a.id));
  config.categories.forEach((c, i) => {
    for (const a of c.agencies) {
      if (!agencyIds.has(a)) {
        throw new ConfigError(`content/config/categories.json: categories[${i}] '${c.id}' names unknown agency '${a}'`);
      }
    }
  });
  const sensitivePublic = config.categories.find((c) => c.sensitive && c.public);
  if (sensitivePublic) throw new ConfigError(`content/config/categories.json: '${sensitivePublic.id}' is sensitive, so it cannot be public`);
  const byId = new Map(config.areas.map((a) => [a.id, a]));
  const parentKind = { county: undefined, district: 'county', ward: 'district' } as const;
  config.areas.forEach((a, i) => {
    const want = parentKind[a.kind];
    if (!want) return;
    const parent = a.parent ? byId.get(a.parent) : undefined;
    if (!parent || parent.kind !== want) {
      throw new ConfigError(`content/config/areas.json: areas[${i}] '${a.id}' needs a parent ${want}`);
    }
  });
  checkOnsCodes(config.areas);
  config.areas.forEach((a, i) => {
    const banded = a.ageBands ? Object.values(a.ageBands).reduce((n, v) => n + v, 0) : 0;
    if (banded > a.population) throw new ConfigError(`content/config/areas.json: areas[${i}] '${a.id}' has ${banded} people in its age bands, more than its population (${a.population})`);
  });
  for (const [sector, ward] of Object.entries(config.gazetteer.postcodeSectors)) {
    if (byId.get(ward)?.kind !== 'ward') {
      throw new ConfigError(`content/config/gazetteer.json: postcode sector '${sector}' names unknown ward '${ward}'`);
    }
  }
  const retention = config.partnership.retentionDays;
  const caseTypes = new Set(['feedback', ...config.categories.map((c) => c.id)]);
  for (const [type, days] of Object.entries(retention.byCaseType)) {
    if (!caseTypes.has(type)) throw new ConfigError(`content/config/partnership.json: retentionDays.byCaseType names unknown case type '${type}' (a category id or "feedback")`);
    if (days < retention.closedCases) throw new ConfigError(`content/config/partnership.json: retentionDays.byCaseType.${type} is ${days} days, shorter than retentionDays.closedCases (${retention.closedCases}); it may only extend it`);
  }
  for (const place of config.gazetteer.places) {
    if (byId.get(place.ward)?.kind !== 'ward') {
      throw new ConfigError(`content/config/gazetteer.json: place '${place.name}' names unknown ward '${place.ward}'`);
    }
  }
  return config;
}

/** Load and validate every configuration file in a content directory. */
export function loadSiteConfig(contentDir: string): SiteConfig {
  return crossCheck({
    partnership: parseWith(partnershipSchema, readJson(contentDir, 'partnership.json'), 'partnership.json'),
    areas: parseWith(z.array(areaSchema).min(1), readJson(contentDir, 'areas.json'), 'areas.json'),
    agencies: parseWith(z.array(agencySchema).min(1), readJson(contentDir, 'agencies.json'), 'agencies.json'),
    categories: parseWith(z.array(categorySchema).min(1), readJson(contentDir, 'categories.json'), 'categories.json'),
    targets: parseWith(targetsSchema, readJson(contentDir, 'targets.json'), 'targets.json'),
    gazetteer: parseWith(gazetteerSchema, readJson(contentDir, 'gazetteer.json'), 'gazetteer.json'),
    hotSpots: parseWith(hotSpotsSchema, existsSync(join(contentDir, 'config', 'hot-spots.json')) ? readJson(contentDir, 'hot-spots.json') : {}, 'hot-spots.json'),
    neighbours: parseWith(neighboursSchema, existsSync(join(contentDir, 'config', 'neighbours.json')) ? readJson(contentDir, 'neighbours.json') : [], 'neighbours.json'),
  });
}
