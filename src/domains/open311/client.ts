/**
 * The Open311 GeoReport v2 client, apart from our server: `POST requests`, `GET tokens/{token}` and the mySociety
 * extension `GET servicerequestupdates`, in JSON, each with a timeout. Answers are read with zod. A failure says
 * whether it is permanent (a 4xx other than 408 and 429, or a 2xx that cannot be read) or worth retrying.
 */
import { z } from 'zod';

/** Where and how to call one partner's Open311 endpoint. */
export interface Open311Endpoint {
  /** The base URL, before `/requests.json`. */
  endpoint: string;
  jurisdictionId?: string;
  apiKey: string;
  timeoutMs: number;
}

/** A failed call: permanent (do not send again) or temporary (retry later). */
export interface Open311Failure {
  ok: false;
  permanent: boolean;
  status: number | null;
  error: string;
}

/** A successful call's data, or a failure. */
export type Open311Result<T> = { ok: true; value: T } | Open311Failure;

const errorsSchema = z.array(z.object({ code: z.union([z.number(), z.string()]).optional(), description: z.string().optional() }));

const postAnswerSchema = z
  .array(z.object({ service_request_id: z.coerce.string().optional(), token: z.coerce.string().optional(), service_notice: z.string().optional() }))
  .min(1)
  .refine((a) => !!(a[0]!.service_request_id || a[0]!.token), 'neither service_request_id nor token');

const tokenAnswerSchema = z.array(z.object({ service_request_id: z.coerce.string().optional(), token: z.coerce.string().optional() }));

const updateSchema = z.object({
  update_id: z.coerce.string().min(1),
  service_request_id: z.coerce.string().min(1),
  status: z.string().default(''),
  description: z.string().nullish().transform((d) => d ?? ''),
  updated_datetime: z.string().refine((d) => !Number.isNaN(Date.parse(d)), 'not a date and time'),
  external_status_code: z.coerce.string().nullish(),
});

/** One update from `servicerequestupdates`. */
export type Open311Update = z.infer<typeof updateSchema>;

/** True for an HTTP status that will not change on retry: a 4xx other than 408 (timeout) and 429 (too many requests). */
export function isPermanentStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/** The spec's error descriptions in an error body, joined, or the start of the body. */
function describeErrors(body: string): string {
  try {
    const parsed = errorsSchema.safeParse(JSON.parse(body));
    if (parsed.success && parsed.data.length) return parsed.data.map((e) => `${e.code ?? ''} ${e.description ?? ''}`.trim()).join('; ');
  } catch {
    /* not JSON */
  }
  return body.replace(/\s+/g, ' ').trim().slice(0, 200);
}

/** Call the endpoint and read its JSON answer with the schema. */
async function call<T>(url: URL, init: { method: 'GET' | 'POST'; body?: URLSearchParams }, timeoutMs: number, schema: z.ZodType<T>): Promise<Open311Result<T>> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { method: init.method, body: init.body, headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
    text = await res.text();
  } catch (error) {
    const e = error as Error;
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${e.message}${e.cause ? ` (${String((e.cause as Error).message ?? e.cause)})` : ''}`;
    return { ok: false, permanent: false, status: null, error: `${init.method} ${url.pathname}: ${why}` };
  }
  if (!res.ok) return { ok: false, permanent: isPermanentStatus(res.status), status: res.status, error: `${init.method} ${url.pathname}: ${res.status} ${describeErrors(text)}`.slice(0, 500) };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, permanent: true, status: res.status, error: `${init.method} ${url.pathname}: ${res.status} with an answer that is not JSON` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, permanent: true, status: res.status, error: `${init.method} ${url.pathname}: unexpected answer (${parsed.error.issues[0]?.message ?? 'invalid'})` };
  return { ok: true, value: parsed.data };
}

/** The URL of an endpoint path in JSON, with the jurisdiction and any query. */
function endpointUrl(target: Open311Endpoint, path: string, query: Record<string, string> = {}): URL {
  const url = new URL(`${target.endpoint}/${path}.json`);
  if (target.jurisdictionId) url.searchParams.set('jurisdiction_id', target.jurisdictionId);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return url;
}

/** POST requests: create a service request; answers its service_request_id, or a token to resolve later. */
export async function postServiceRequest(target: Open311Endpoint, params: Record<string, string>): Promise<Open311Result<{ serviceRequestId: string | null; token: string | null }>> {
  const body = new URLSearchParams({ ...params, api_key: target.apiKey });
  if (target.jurisdictionId) body.set('jurisdiction_id', target.jurisdictionId);
  const result = await call(new URL(`${target.endpoint}/requests.json`), { method: 'POST', body }, target.timeoutMs, postAnswerSchema);
  if (!result.ok) return result;
  const first = result.value[0]!;
  return { ok: true, value: { serviceRequestId: first.service_request_id || null, token: first.token || null } };
}

/** GET tokens/{token}: the service_request_id once the endpoint has one (null while it has not; 404 means not yet). */
export async function resolveToken(target: Open311Endpoint, token: string): Promise<Open311Result<string | null>> {
  const result = await call(endpointUrl(target, `tokens/${encodeURIComponent(token)}`), { method: 'GET' }, target.timeoutMs, tokenAnswerSchema);
  if (!result.ok) return result.status === 404 ? { ok: true, value: null } : result;
  return { ok: true, value: result.value.find((t) => t.service_request_id)?.service_request_id ?? null };
}

/** GET servicerequestupdates (mySociety extension): the updates between two times, one page. */
export function fetchUpdates(target: Open311Endpoint, from: number, to: number, page: number, pageSize: number): Promise<Open311Result<Open311Update[]>> {
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const url = endpointUrl(target, 'servicerequestupdates', { api_key: target.apiKey, start_date: iso(from), end_date: iso(to), page: String(page), page_size: String(pageSize) });
  return call(url, { method: 'GET' }, target.timeoutMs, z.array(updateSchema));
}
