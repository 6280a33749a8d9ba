/**
 * Open311 services: one per report category, with the danger, hate-motivation and vulnerability questions (and
 * the reporter's privacy and the ward) as `singlevaluelist` attributes taken from the question data, so API clients
 * ask what the web journey and triage ask. Jurisdictions: which `jurisdiction_id` values this install answers for.
 */
import type { SiteConfig } from '../../platform/config/partnership.ts';
import { TRIAGE_QUESTIONS } from '../cases/priority.ts';
import { PRIVACY, reportQuestions, wardOptions } from '../reports/questions.ts';
import { quoteValue, type Value } from './format.ts';

/** The jurisdiction ids this install answers for: the configured list, else the partnership e-mail's domain. */
export function listJurisdictions(config: SiteConfig): string[] {
  return config.partnership.open311?.jurisdictions ?? [config.partnership.email.split('@')[1]!.toLowerCase()];
}

/** Why a jurisdiction_id is refused (404: not one of ours; 400: required because the install has several), or null. */
export function checkJurisdiction(jurisdictions: readonly string[], given: string | null | undefined): { status: 400 | 404; description: string } | null {
  const value = (given ?? '').trim().toLowerCase();
  if (!value) return jurisdictions.length > 1 ? { status: 400, description: 'jurisdiction_id is required: this endpoint serves more than one jurisdiction' } : null;
  return jurisdictions.includes(value) ? null : { status: 404, description: `jurisdiction_id ${quoteValue(given)} was not found` };
}

/** One attribute of a service definition, as the spec lists its fields. */
export interface Attribute {
  variable: boolean;
  code: string;
  datatype: 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';
  required: boolean;
  datatype_description: string;
  order: number;
  description: string;
  values: { key: string; name: string }[];
}

/** The attribute codes, as clients send them: attribute[danger_now]=no. */
export const ATTRIBUTE_CODES = { danger: 'danger_now', hate: 'hate_motivation', vulnerable: 'vulnerability', privacy: 'privacy', ward: 'ward' } as const;

/** The answers a POST gives when nobody knows (vulnerability and hate motivation are optional). */
const NOT_SURE = { key: 'not_sure', name: 'Not sure' };

/** A triage question by name. */
function triageQuestion(name: 'hate' | 'vulnerable') {
  return TRIAGE_QUESTIONS.find((q) => q.name === name)!;
}

/** The attributes every service asks, in order: danger (required), hate motivation, vulnerability, privacy, ward. */
export function serviceAttributes(config: SiteConfig): Attribute[] {
  const danger = reportQuestions(config).find((q) => q.key === 'danger');
  const dangerOptions = danger && danger.type === 'choice' ? danger.options : [{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }];
  const hate = triageQuestion('hate');
  const vulnerable = triageQuestion('vulnerable');
  const list = (options: readonly { value: string; label: string }[]) => options.map((o) => ({ key: o.value, name: o.label }));
  return [
    {
      variable: true, code: ATTRIBUTE_CODES.danger, datatype: 'singlevaluelist', required: true, order: 1,
      description: danger?.label ?? 'Is anyone in danger right now?',
      datatype_description: 'If yes, do not send: tell the person to call 999 now. A request answering yes is refused.',
      values: list(dangerOptions),
    },
    {
      variable: true, code: ATTRIBUTE_CODES.hate, datatype: 'singlevaluelist', required: false, order: 2,
      description: hate.legend, datatype_description: 'Whether the person reporting believes it was motivated by hate.',
      values: [...list(hate.options), NOT_SURE],
    },
    {
      variable: true, code: ATTRIBUTE_CODES.vulnerable, datatype: 'singlevaluelist', required: false, order: 3,
      description: vulnerable.legend, datatype_description: 'hint' in vulnerable ? vulnerable.hint : '',
      values: [...list(vulnerable.options), NOT_SURE],
    },
    {
      variable: true, code: ATTRIBUTE_CODES.privacy, datatype: 'singlevaluelist', required: false, order: 4,
      description: 'How should we treat the reporter’s details?',
      datatype_description: 'Confidential when not given. Anonymous drops any name and contact details sent.',
      values: PRIVACY.map((p) => ({ key: p.value, name: `${p.label}: ${p.hint}` })),
    },
    {
      variable: true, code: ATTRIBUTE_CODES.ward, datatype: 'singlevaluelist', required: false, order: 5,
      description: 'Ward where it happened',
      datatype_description: 'Only needed when the postcode or place in address_string does not give it.',
      values: wardOptions(config).map((w) => ({ key: w.value, name: w.label })),
    },
  ];
}

/** True when the category may be listed by the public GET requests: marked public, and never sensitive. */
export function isPublicCategory(category: { public?: boolean; sensitive?: boolean } | undefined): boolean {
  return !!category && !!category.public && !category.sensitive;
}

/** The services list: every report category; those not public carry the `private` keyword (FixMyStreet's convention). */
export function listServices(config: SiteConfig): Value[] {
  return config.categories.map((c) => ({
    service_code: c.id,
    service_name: c.name,
    description: c.hint,
    metadata: true,
    type: 'batch',
    keywords: [isPublicCategory(c) ? 'public' : 'private', ...(c.sensitive ? ['sensitive'] : []), ...(c.emergency ? ['emergency'] : [])].join(','),
    group: '',
  }));
}

/** The service definition for a category code, or null when there is no such service. */
export function serviceDefinition(config: SiteConfig, code: string): Value | null {
  if (!config.categories.some((c) => c.id === code)) return null;
  return { service_code: code, attributes: serviceAttributes(config) as unknown as Value[] };
}
