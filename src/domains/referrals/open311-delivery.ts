/**
 * Referrals to agencies with an Open311 endpoint (`open311` in agencies.json), through the Open311 client
 * (src/domains/open311/client.ts), never inside a request:
 * - delivery: referCase queues a row in `referral_deliveries` in the same write as the referral. The delivery job
 *   claims each due row with a lease (one conditional write, so two processes never both send it), POSTs the fields
 *   of the frozen snapshot (only what the sharing agreement allowed and the officer left ticked) and stores the
 *   service_request_id (or the token, resolved later through `tokens/{token}`). A network error, a timeout, a 5xx,
 *   408 or 429 is retried with backoff; any other 4xx (or an answer that cannot be read) marks it failed for triage.
 * - updates: the updates job asks each agency's `servicerequestupdates` since the last update seen; each update
 *   becomes a partner step on the referral (recorded as the system's), once, and a closing status moves the
 *   referral on as the partner console would (complete, or decline/return when it is not theirs).
 */
import { and, asc, eq, inArray, isNotNull, isNull, lte, min, or } from 'drizzle-orm';
import { getDatabase, getDb, toStatement } from '../../platform/db/client.ts';
import { caseEvents, open311RemoteUpdates, open311UpdateCursors, referralDeliveries, referrals } from '../../platform/db/schema.ts';
import { retryDelay } from '../../platform/mail/outbox.ts';
import { newId, newSecret } from '../../platform/security/ids.ts';
import { log } from '../../platform/log.ts';
import type { Agency } from '../../platform/config/partnership.ts';
import type { ScheduledJob } from '../../platform/jobs.ts';
import { fetchUpdates, postServiceRequest, resolveToken, type Open311Endpoint, type Open311Update } from '../open311/client.ts';
import { actOnReferralAsSystem, MAX_REFERRAL_TEXT, type Referral, type ReferralResult, type ReferralSettings } from './actions.ts';
import { isReferralAccepted, isReferralOpen, type ReferralAction } from './lifecycle.ts';
import { readSnapshot, type ReferralSnapshot } from './sharing.ts';

/** A stored delivery. */
export type ReferralDelivery = typeof referralDeliveries.$inferSelect;

/** What the Open311 jobs need: referral settings, the environment (for API keys) and the client's timings. */
export interface Open311ClientSettings extends ReferralSettings {
  env: Record<string, string | undefined>;
  timeoutMs: number;
  retryBaseMs: number;
  /** How long a claimed delivery stays this runner's; longer than the timeout. */
  leaseMs: number;
}

/** The most a description may hold (the GeoReport v2 limit). */
const DESCRIPTION_MAX = 4000;
/** The longest span servicerequestupdates may be asked for (our server's limit, and a common one). */
const MAX_SPAN_MS = 90 * 86_400_000 - 60_000;
const PAGE_SIZE = 500;
const MAX_PAGES = 20;

/** The agency's endpoint with its API key from the environment variable it names, or why there is none. */
export function endpointFor(agency: Agency, settings: Pick<Open311ClientSettings, 'env' | 'timeoutMs'>): Open311Endpoint | { error: string } {
  if (!agency.open311) return { error: `${agency.name} has no Open311 endpoint` };
  const apiKey = settings.env[agency.open311.apiKeyEnv];
  if (!apiKey) return { error: `The environment variable ${agency.open311.apiKeyEnv} (the API key for ${agency.name}) is not set` };
  return { endpoint: agency.open311.endpoint, jurisdictionId: agency.open311.jurisdictionId, apiKey, timeoutMs: settings.timeoutMs };
}

const POSTCODE = /\b([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})\b/i;

/**
 * The POST requests parameters of a referral: the service code and fixed attributes from configuration, and only
 * what the snapshot holds and the agreement still allows (the description lists its lines; the location and contact
 * details when they were shared).
 */
export function requestParams(frozen: ReferralSnapshot, agency: Pick<Agency, 'open311' | 'sharing'>, partnership: string): Record<string, string> {
  const open311 = agency.open311!;
  const allowed = agency.sharing?.fields ?? [];
  const snapshot = { ...frozen, rows: frozen.rows.filter((r) => allowed.includes(r.field)) };
  const params: Record<string, string> = { service_code: open311.serviceCode };
  for (const [code, value] of Object.entries(open311.attributes)) params[`attribute[${code}]`] = value;
  const lines = [`Referral of case ${snapshot.ref} from ${partnership}, under sharing agreement ${snapshot.agreementReference} (${snapshot.legalBasis}).`];
  for (const row of snapshot.rows) if (row.field !== 'contact') lines.push(`${row.key}: ${row.value}`);
  params.description = lines.join('\n').slice(0, DESCRIPTION_MAX);
  const place = snapshot.rows.filter((r) => r.field === 'location').map((r) => r.value);
  const postcode = place.map((v) => POSTCODE.exec(v)).find(Boolean);
  if (postcode) params.address_string = `${postcode[1]!.toUpperCase()} ${postcode[2]!.toUpperCase()}`;
  else if (place.length) params.address_string = place.join(', ').slice(0, 500);
  const contact = (key: string) => snapshot.rows.find((r) => r.field === 'contact' && r.key === key && r.value !== 'Not given')?.value;
  const name = contact('Reporter name');
  if (name) {
    const at = name.lastIndexOf(' ');
    params.first_name = at > 0 ? name.slice(0, at) : name;
    if (at > 0) params.last_name = name.slice(at + 1);
  }
  const email = contact('Reporter e-mail');
  const phone = contact('Reporter phone');
  if (email) params.email = email;
  if (phone) params.phone = phone;
  return params;
}

/** Claim a due delivery for this runner in one conditional write: pending (or sent, awaiting its token's id), due, not leased. */
async function claimDelivery(referralId: string, runner: string, now: number, leaseMs: number): Promise<ReferralDelivery | undefined> {
  const { db, writer } = getDatabase();
  const [result] = await writer.batch([
    toStatement(
      db.update(referralDeliveries).set({ leaseToken: runner, leaseUntil: now + leaseMs })
        .where(and(eq(referralDeliveries.referralId, referralId), lte(referralDeliveries.nextAttemptAt, now), or(isNull(referralDeliveries.leaseUntil), lte(referralDeliveries.leaseUntil, now)),
          or(eq(referralDeliveries.status, 'pending'), and(eq(referralDeliveries.status, 'sent'), isNull(referralDeliveries.serviceRequestId), isNotNull(referralDeliveries.token)))))
        .returning({ referralId: referralDeliveries.referralId }),
    ),
  ]);
  if (result!.rows.length !== 1) return undefined;
  const [row] = await getDb().select().from(referralDeliveries).where(eq(referralDeliveries.referralId, referralId));
  return row;
}

/** Record the outcome of an attempt (only while this runner holds the lease), with a timeline entry when it was sent or failed. */
async function finishDelivery(row: ReferralDelivery, runner: string, set: Partial<ReferralDelivery>, event: { caseId: string; action: string; body: string } | null, now: number) {
  await getDatabase().writer.transaction(async (tx) => {
    const stmts = [toStatement(getDb().update(referralDeliveries).set({ ...set, leaseToken: null, leaseUntil: null }).where(and(eq(referralDeliveries.referralId, row.referralId), eq(referralDeliveries.leaseToken, runner))))];
    if (event) stmts.push(toStatement(getDb().insert(caseEvents).values({ id: newId(now), caseId: event.caseId, at: now, actorKind: 'system', action: event.action, visibility: 'internal', body: event.body, data: { referralId: row.referralId, agencyId: row.agencyId } })));
    const [updated] = await tx.batch(stmts);
    if (updated!.rowsAffected !== 1) throw new Error(`lost the lease on the delivery of referral ${row.referralId}`);
  });
}

/** One attempt at one claimed delivery: POST it (or resolve its token) and record what happened. */
async function attemptDelivery(row: ReferralDelivery, referral: Referral, agency: Agency | undefined, runner: string, settings: Open311ClientSettings, now: number): Promise<'sent' | 'retry' | 'failed'> {
  const attempts = row.attempts + 1;
  const retry = async (error: string) => {
    await finishDelivery(row, runner, { attempts, lastError: error.slice(0, 500), nextAttemptAt: now + retryDelay(attempts, settings.retryBaseMs) }, null, now);
    log.warn('open311.delivery_retry', { referral: row.referralId, agency: row.agencyId, attempts, error });
    return 'retry' as const;
  };
  const target = agency ? endpointFor(agency, settings) : { error: `The agency ${row.agencyId} is no longer configured` };
  if ('error' in target) return retry(target.error);
  if (row.status === 'sent' && row.token) {
    const resolved = await resolveToken(target, row.token);
    if (!resolved.ok) return retry(resolved.error);
    if (!resolved.value) return retry(`The endpoint has no service_request_id for token ${row.token} yet`);
    await finishDelivery(row, runner, { serviceRequestId: resolved.value, lastError: null }, { caseId: referral.caseId, action: 'referral.delivered', body: `Open311 service request ${resolved.value}` }, now);
    return 'sent';
  }
  if (!agency?.sharing) {
    const error = `There is no longer a sharing agreement with ${agency?.name ?? row.agencyId}, so nothing can be sent`;
    await finishDelivery(row, runner, { status: 'failed', attempts, lastError: error }, { caseId: referral.caseId, action: 'referral.delivery_failed', body: error }, now);
    return 'failed';
  }
  const posted = await postServiceRequest(target, requestParams(readSnapshot(referral.snapshot), agency, settings.partnership));
  if (!posted.ok && posted.permanent) {
    await finishDelivery(row, runner, { status: 'failed', attempts, lastError: posted.error }, { caseId: referral.caseId, action: 'referral.delivery_failed', body: posted.error }, now);
    log.warn('open311.delivery_failed', { referral: row.referralId, agency: row.agencyId, error: posted.error });
    return 'failed';
  }
  if (!posted.ok) return retry(posted.error);
  const { serviceRequestId, token } = posted.value;
  const event = serviceRequestId ? { caseId: referral.caseId, action: 'referral.delivered', body: `Open311 service request ${serviceRequestId}` } : null;
  await finishDelivery(row, runner, { status: 'sent', attempts, sentAt: now, serviceRequestId, token, lastError: null, nextAttemptAt: now }, event, now);
  if (serviceRequestId) return 'sent';
  // Only a token: ask for its id at once (the claim below finds it due); a 404 means later.
  const again = await claimDelivery(row.referralId, runner, now, settings.leaseMs);
  return again ? attemptDelivery(again, referral, agency, runner, settings, now) : 'sent';
}

/** Send every due referral delivery once (and resolve tokens); returns how many were sent, are to retry and failed. */
export async function deliverReferrals(settings: Open311ClientSettings, now = Date.now(), runner = newSecret(10)): Promise<{ sent: number; retry: number; failed: number }> {
  const due = await getDb().select({ referralId: referralDeliveries.referralId }).from(referralDeliveries)
    .where(and(inArray(referralDeliveries.status, ['pending', 'sent']), isNull(referralDeliveries.serviceRequestId), lte(referralDeliveries.nextAttemptAt, now)))
    .orderBy(asc(referralDeliveries.nextAttemptAt)).limit(50);
  const counts = { sent: 0, retry: 0, failed: 0 };
  for (const { referralId } of due) {
    const row = await claimDelivery(referralId, runner, now, settings.leaseMs);
    if (!row) continue;
    const [referral] = await getDb().select().from(referrals).where(eq(referrals.id, referralId));
    if (!referral) continue;
    const agency = settings.config.agencies.find((a) => a.id === row.agencyId);
    counts[await attemptDelivery(row, referral, agency, runner, settings, now)]++;
  }
  return counts;
}

/** The delivery of a referral, if it goes by Open311. */
export async function findDelivery(referralId: string): Promise<ReferralDelivery | undefined> {
  const [row] = await getDb().select().from(referralDeliveries).where(eq(referralDeliveries.referralId, referralId));
  return row;
}

/** The delivery in words for triage: sent (with the partner's id), waiting (with the last error), or failed (with why). */
export function deliveryWords(d: Pick<ReferralDelivery, 'status' | 'serviceRequestId' | 'lastError' | 'attempts'>): { words: string; failed: boolean } {
  if (d.status === 'failed') return { words: `Open311 delivery failed: ${d.lastError ?? 'refused'}`, failed: true };
  if (d.status === 'sent') return { words: d.serviceRequestId ? `Sent by Open311 as ${d.serviceRequestId}` : 'Sent by Open311, waiting for its id', failed: false };
  return { words: d.attempts ? `Waiting to send by Open311 (tried ${d.attempts} time${d.attempts === 1 ? '' : 's'}: ${d.lastError ?? ''})` : 'Waiting to send by Open311', failed: false };
}

/** Statuses that mean the partner finished the work, and those that mean it was not theirs to do. */
const DONE = new Set(['FIXED', 'CLOSED', 'NO_FURTHER_ACTION', 'DUPLICATE']);
const NOT_THEIRS = new Set(['NOT_COUNCILS_RESPONSIBILITY', 'CANCELLED']);
const WORKING = new Set(['IN_PROGRESS', 'INVESTIGATING', 'ACTION_SCHEDULED']);

/** The partner actions an update stands for on a referral in this status, in order (none when it is finished). */
export function actionsForUpdate(referralStatus: string, remoteStatus: string): ReferralAction[] {
  if (!isReferralOpen(referralStatus)) return [];
  const status = remoteStatus.toUpperCase();
  const accepted = isReferralAccepted(referralStatus);
  if (DONE.has(status)) return accepted ? ['complete'] : ['accept', 'complete'];
  if (NOT_THEIRS.has(status)) return accepted ? ['return'] : ['decline'];
  if (WORKING.has(status)) return accepted ? ['update'] : ['accept', 'update'];
  if (accepted) return ['update'];
  return referralStatus === 'sent' ? ['acknowledge'] : [];
}

/** The words an update is recorded with: its description and its status. */
function updateText(update: Open311Update): string {
  const status = update.status.toUpperCase() || 'UPDATE';
  const words = update.description.trim();
  return (words ? `${words} (Open311 status ${status})` : `Open311 status ${status}`).slice(0, MAX_REFERRAL_TEXT);
}

/** Apply one pulled update to its referral, once (the update id is recorded in the same write); true when new. */
export async function applyRemoteUpdate(agencyId: string, referralId: string, update: Open311Update, settings: ReferralSettings, now = Date.now()): Promise<boolean> {
  return getDatabase().writer.transaction(async (tx) => {
    const [seen] = await tx.db.select({ id: open311RemoteUpdates.updateId }).from(open311RemoteUpdates).where(and(eq(open311RemoteUpdates.agencyId, agencyId), eq(open311RemoteUpdates.updateId, update.update_id)));
    if (seen) return false;
    const [referral] = await tx.db.select({ status: referrals.status }).from(referrals).where(eq(referrals.id, referralId));
    if (!referral) return false;
    const text = updateText(update);
    let status = referral.status;
    for (const action of actionsForUpdate(status, update.status)) {
      const result: ReferralResult = await actOnReferralAsSystem(referralId, { action, text }, settings, now);
      if (!result.ok) throw new Error(`Open311 update ${update.update_id} on referral ${referralId}: ${result.message}`);
      [{ status }] = (await tx.db.select({ status: referrals.status }).from(referrals).where(eq(referrals.id, referralId))) as [{ status: typeof status }];
    }
    await tx.batch([toStatement(tx.db.insert(open311RemoteUpdates).values({ agencyId, updateId: update.update_id, referralId, status: update.status, updatedAt: Date.parse(update.updated_datetime), receivedAt: now }))]);
    return true;
  });
}

/** Pull each Open311 agency's updates since the last one seen and apply them; returns how many were new. */
export async function pullReferralUpdates(settings: Open311ClientSettings, now = Date.now()): Promise<number> {
  let applied = 0;
  for (const agency of settings.config.agencies.filter((a) => a.open311)) {
    const tracked = await getDb().select({ referralId: referralDeliveries.referralId, requestId: referralDeliveries.serviceRequestId, sentAt: referralDeliveries.sentAt }).from(referralDeliveries)
      .innerJoin(referrals, eq(referrals.id, referralDeliveries.referralId))
      .where(and(eq(referralDeliveries.agencyId, agency.id), isNotNull(referralDeliveries.serviceRequestId), inArray(referrals.status, ['sent', 'acknowledged', 'accepted', 'in_progress'])));
    if (!tracked.length) continue;
    const target = endpointFor(agency, settings);
    if ('error' in target) {
      log.warn('open311.updates_skipped', { agency: agency.id, error: target.error });
      continue;
    }
    const byRequest = new Map(tracked.map((t) => [t.requestId!.toUpperCase(), t.referralId]));
    const [cursor] = await getDb().select().from(open311UpdateCursors).where(eq(open311UpdateCursors.agencyId, agency.id));
    const [first] = await getDb().select({ at: min(referralDeliveries.sentAt) }).from(referralDeliveries).where(and(eq(referralDeliveries.agencyId, agency.id), isNotNull(referralDeliveries.serviceRequestId)));
    const from = Math.max(cursor?.lastUpdateAt ?? (first?.at ?? now) - 60_000, now - MAX_SPAN_MS);
    let last = cursor?.lastUpdateAt ?? 0;
    let complete = true;
    for (let page = 1; page <= MAX_PAGES; page++) {
      const result = await fetchUpdates(target, from, now, page, PAGE_SIZE);
      if (!result.ok) {
        log.warn('open311.updates_failed', { agency: agency.id, error: result.error });
        complete = false;
        break;
      }
      for (const update of result.value) {
        const referralId = byRequest.get(update.service_request_id.toUpperCase());
        // One update that cannot be applied is logged and passed over, so it does not hold up the agency's others.
        if (referralId) {
          const done = await applyRemoteUpdate(agency.id, referralId, update, settings, now).catch((error: unknown) => {
            log.error('open311.update_failed', { agency: agency.id, update: update.update_id, error: String(error) });
            return false;
          });
          if (done) applied++;
        }
        last = Math.max(last, Date.parse(update.updated_datetime));
      }
      if (result.value.length < PAGE_SIZE) break;
    }
    // The cursor moves to the last update seen (inclusive next time: updates already applied are recognised by id).
    if (complete || last > (cursor?.lastUpdateAt ?? 0)) {
      const lastUpdateAt = last || from;
      await getDatabase().writer.batch([toStatement(getDb().insert(open311UpdateCursors).values({ agencyId: agency.id, lastUpdateAt, checkedAt: now }).onConflictDoUpdate({ target: open311UpdateCursors.agencyId, set: { lastUpdateAt, checkedAt: now } }))]);
    }
  }
  return applied;
}

/** The leased jobs of the Open311 client: deliver referrals, and pull updates back. */
export function open311ClientJobs(settings: () => Open311ClientSettings, timing: { deliverEveryMs: number; updatesEveryMs: number }): ScheduledJob[] {
  return [
    { name: 'open311-deliver', everyMs: timing.deliverEveryMs, run: async (now) => void (await deliverReferrals(settings(), now)) },
    { name: 'open311-updates', everyMs: timing.updatesEveryMs, run: async (now) => void (await pullReferralUpdates(settings(), now)) },
  ];
}
