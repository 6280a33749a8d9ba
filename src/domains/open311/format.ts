/**
 * Open311 documents in both formats. The JSON is the data as it is; the XML follows it mechanically (the
 * "Spark convention"): a root element, one element per list item, and a named element for each item of a
 * nested list (attributes > attribute, values > value). Pure: no HTTP, no database.
 */
import { XMLBuilder } from 'fast-xml-parser';

/** The two formats every endpoint answers in (the path's suffix). */
export const FORMATS = ['xml', 'json'] as const;

/** An Open311 format. */
export type Format = (typeof FORMATS)[number];

/** A value in an Open311 document. */
export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

/** A document: its XML root element, the element for each item when the body is a list, and the body. */
export interface Document {
  root: string;
  item?: string;
  body: Value;
}

/** The element for each item of a nested list, by the list's name. */
const LIST_ITEMS: Record<string, string> = { attributes: 'attribute', values: 'value', endpoints: 'endpoint', formats: 'format' };

/** MIME types of the formats. */
export const MIME: Record<Format, string> = { xml: 'text/xml; charset=utf-8', json: 'application/json; charset=utf-8' };

const builder = new XMLBuilder({ format: true, suppressEmptyNode: false, ignoreAttributes: false, processEntities: true });

// Characters XML 1.0 cannot carry at all.
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** A value as the XML builder wants it: lists wrapped in their item elements, null as an empty element. */
function toXmlValue(value: Value, name?: string): unknown {
  if (value === null) return '';
  if (Array.isArray(value)) return { [name && LIST_ITEMS[name] ? LIST_ITEMS[name] : 'item']: value.map((v) => toXmlValue(v)) };
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toXmlValue(v, k)]));
  if (typeof value === 'string') return value.replace(NOT_XML, '');
  return String(value);
}

/** The document as XML, with the UTF-8 declaration the spec asks for. */
export function renderXml(doc: Document): string {
  const inner = Array.isArray(doc.body) ? (doc.body.length ? { [doc.item ?? 'item']: doc.body.map((v) => toXmlValue(v)) } : '') : toXmlValue(doc.body);
  return builder.build({ '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' }, [doc.root]: inner });
}

/** The document in the asked format. */
export function renderDocument(doc: Document, format: Format): string {
  return format === 'json' ? JSON.stringify(doc.body) : renderXml(doc);
}

/** One error of the spec's error format. */
export interface Open311Error {
  code: number;
  description: string;
}

/** The spec's error document: `<errors><error><code/><description/></error></errors>`, or a JSON array of them. */
export function errorDocument(errors: readonly Open311Error[]): Document {
  return { root: 'errors', item: 'error', body: errors.map((e) => ({ code: e.code, description: e.description })) };
}

/** A value the client sent, quoted in an error description: at most 80 characters. */
export function quoteValue(value: string | null | undefined): string {
  const v = String(value ?? '');
  return `'${v.length > 80 ? `${v.slice(0, 80)}…` : v}'`;
}

/** Split "services.json" into its name and format; the format is null when the suffix is neither xml nor json. */
export function splitFormat(segment: string): { name: string; format: Format | null } {
  const dot = segment.lastIndexOf('.');
  if (dot <= 0) return { name: segment, format: null };
  const suffix = segment.slice(dot + 1).toLowerCase();
  return { name: segment.slice(0, dot), format: (FORMATS as readonly string[]).includes(suffix) ? (suffix as Format) : null };
}
