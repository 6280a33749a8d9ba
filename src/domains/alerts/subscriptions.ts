/**
 * Area alert subscriptions without an account: subscribe (double opt-in: one confirmation e-mail with a signed,
 * expiring link), confirm, one-click unsubscribe (a signed link in every alert e-mail), counts for editors, and
 * upkeep (unconfirmed subscriptions deleted 7 days after the latest confirmation e-mail, every subscription of an address whose alert e-mail
 * failed for good deleted, sent and failed alert e-mails removed from the outbox after 30 days). Nothing here tells a caller whether an address is already subscribed.
 */
import { and, count, eq, inArray, lte, sql } from 'drizzle-orm';
import { getDatabase, getDb, toStatement } from '../../platform/db/client.ts';
import { alertSubscriptions, outbox } from '../../platform/db/schema.ts';
import { enqueueEmail } from '../../platform/mail/outbox.ts';
import { newId } from '../../platform/security/ids.ts';
import { RateLimitGate } from '../../platform/security/rate-limit.ts';
import { keyedHash, signValue, verifySignedValue } from '../../platform/security/signing.ts';
import { log } from '../../platform/log.ts';
import { digestWeekOf } from './week.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** How long a confirmation link works. */
export const CONFIRM_LINK_MS = 48 * HOUR;
/** How long an unconfirmed subscription is kept after its latest confirmation e-mail. */
export const UNCONFIRMED_KEEP_MS = 7 * DAY;
/** How long an unsubscribe link works after the e-mail carrying it was queued. */
export const UNSUBSCRIBE_LINK_MS = 400 * DAY;
/** How long sent or failed alert e-mails stay in the outbox (long enough for the bounce check, short for the address). */
export const ALERT_MAIL_KEEP_MS = 30 * DAY;
/** Confirmation e-mails one address may be sent in a day (across areas, new and pending alike); more are silently not sent. */
export const CONFIRMATIONS_PER_DAY = 5;

/** The e-mail templates alerts send (the ones whose permanent failure expires a subscription). */
export const ALERT_TEMPLATES = ['alert-confirm', 'alert-digest'] as const;

/** What alert e-mails need to build links. */
export interface AlertLinks {
  baseUrl: string;
  partnership: string;
}

/** The confirmation link's token for a subscription. */
export function confirmToken(id: string, now: number): string {
  return signValue(`alert-confirm.${id}`, now + CONFIRM_LINK_MS);
}

/** The unsubscribe link's token for a subscription. */
export function unsubscribeToken(id: string, now: number): string {
  return signValue(`alert-stop.${id}`, now + UNSUBSCRIBE_LINK_MS);
}

/** The subscription id inside a token of a purpose, or null when forged, expired or of another purpose. */
function idFromToken(token: string, purpose: 'alert-confirm' | 'alert-stop', now: number): string | null {
  const value = verifySignedValue(token.slice(0, 200), now);
  return value?.startsWith(`${purpose}.`) ? value.slice(purpose.length + 1) : null;
}

/** The absolute unsubscribe link of a subscription. */
export function unsubscribeUrl(links: AlertLinks, id: string, now: number): string {
  return `${links.baseUrl.replace(/\/$/, '')}/alerts/unsubscribe?token=${encodeURIComponent(unsubscribeToken(id, now))}`;
}

/**
 * Ask for alerts about an area. A new address gets a pending subscription and one confirmation e-mail; a pending
 * one gets the confirmation again; a confirmed one gets nothing. An address is sent at most CONFIRMATIONS_PER_DAY
 * confirmations a day across areas: only e-mails sent count, so asking again about an area already confirmed uses
 * none of them. The caller shows the same answer whatever happened. `lang` is the language asked in: the e-mails are
 * framed in it.
 */
export async function subscribeToAlerts(email: string, area: { id: string; name: string }, links: AlertLinks, now = Date.now(), lang = 'en'): Promise<void> {
  const address = email.trim().toLowerCase();
  await getDatabase().writer.transaction(async (tx) => {
    const [row] = await tx.db.select().from(alertSubscriptions).where(and(eq(alertSubscriptions.email, address), eq(alertSubscriptions.areaId, area.id)));
    const send = row?.status !== 'confirmed';
    // The same statements whatever the address's state (a confirmed one counts nothing), so the time taken tells nothing either.
    const budget = new RateLimitGate([{ key: `alerts:confirm:${keyedHash(address)}`, limit: CONFIRMATIONS_PER_DAY, windowMs: DAY, amount: send ? 1 : 0 }], now);
    const allowed = budget.allows(await tx.batch(budget.statements));
    if (!send) return;
    if (!allowed) {
      log.info('alerts.confirmation_withheld', {});
      return;
    }
    const id = row?.id ?? newId(now);
    const mail = enqueueEmail('alert-confirm', address, {
      partnership: links.partnership, area: area.name, validFor: '48 hours', lang,
      confirmUrl: `${links.baseUrl.replace(/\/$/, '')}/alerts/confirm?token=${encodeURIComponent(confirmToken(id, now))}`,
      unsubscribeUrl: unsubscribeUrl(links, id, now),
    }, now);
    const change = row
      ? getDb().update(alertSubscriptions).set({ confirmSentAt: now, language: lang }).where(eq(alertSubscriptions.id, id))
      : getDb().insert(alertSubscriptions).values({ id, email: address, areaId: area.id, status: 'pending', createdAt: now, confirmSentAt: now, language: lang });
    await tx.batch([toStatement(change), mail]);
  });
}

/** A pending or confirmed subscription's area by a confirmation token; null for a bad, expired or spent link. */
export async function findByConfirmToken(token: string, now = Date.now()): Promise<{ id: string; areaId: string; confirmed: boolean } | null> {
  const id = idFromToken(token, 'alert-confirm', now);
  if (!id) return null;
  const [row] = await getDb().select().from(alertSubscriptions).where(eq(alertSubscriptions.id, id));
  return row ? { id: row.id, areaId: row.areaId, confirmed: row.status === 'confirmed' } : null;
}

/**
 * Confirm a subscription from its link: it starts getting digests from next week, listing what is new from now.
 * Returns the area id, or null for a bad, expired or spent link. Confirming twice is harmless.
 */
export async function confirmSubscription(token: string, now = Date.now()): Promise<string | null> {
  const id = idFromToken(token, 'alert-confirm', now);
  if (!id) return null;
  return getDatabase().writer.transaction(async (tx) => {
    const [row] = await tx.db.select().from(alertSubscriptions).where(eq(alertSubscriptions.id, id));
    if (!row) return null;
    if (row.status === 'pending') {
      await tx.batch([toStatement(getDb().update(alertSubscriptions).set({ status: 'confirmed', confirmedAt: now, digestWeek: digestWeekOf(now), digestFrom: now }).where(eq(alertSubscriptions.id, id)))]);
    }
    return row.areaId;
  });
}

/** The subscription an unsubscribe token names, if it still exists; `valid` is false for a bad or expired link. */
export async function findByUnsubscribeToken(token: string, now = Date.now()): Promise<{ valid: boolean; areaId: string | null }> {
  const id = idFromToken(token, 'alert-stop', now);
  if (!id) return { valid: false, areaId: null };
  const [row] = await getDb().select({ areaId: alertSubscriptions.areaId }).from(alertSubscriptions).where(eq(alertSubscriptions.id, id));
  return { valid: true, areaId: row?.areaId ?? null };
}

/** Unsubscribe from a link: the subscription is deleted at once. False for a bad or expired link; true again after. */
export async function unsubscribe(token: string, now = Date.now()): Promise<boolean> {
  const id = idFromToken(token, 'alert-stop', now);
  if (!id) return false;
  await getDatabase().writer.batch([toStatement(getDb().delete(alertSubscriptions).where(eq(alertSubscriptions.id, id)))]);
  return true;
}

/** Confirmed subscriptions by area id (no addresses). */
export async function countSubscribers(): Promise<Map<string, number>> {
  const rows = await getDb().select({ areaId: alertSubscriptions.areaId, n: count() }).from(alertSubscriptions).where(eq(alertSubscriptions.status, 'confirmed')).groupBy(alertSubscriptions.areaId);
  return new Map(rows.map((r) => [r.areaId, r.n]));
}

/**
 * Delete subscriptions left unconfirmed for 7 days after their latest confirmation e-mail (so a link sent again
 * works its full 48 hours); returns how many.
 */
export async function purgeUnconfirmed(now = Date.now()): Promise<number> {
  const [result] = await getDatabase().writer.batch([
    toStatement(getDb().delete(alertSubscriptions).where(and(eq(alertSubscriptions.status, 'pending'), lte(alertSubscriptions.confirmSentAt, now - UNCONFIRMED_KEEP_MS))).returning({ id: alertSubscriptions.id })),
  ]);
  return result!.rows.length;
}

/**
 * Expire (delete) every subscription of an address an alert e-mail to which failed for good (the outbox marked it
 * dead: a 5xx for the recipient, or retries used up) since the subscription began. Returns how many.
 */
export async function expireBouncedSubscriptions(): Promise<number> {
  const bounced = getDb()
    .select({ recipient: outbox.recipient })
    .from(outbox)
    .where(and(eq(outbox.status, 'dead'), inArray(outbox.template, [...ALERT_TEMPLATES]), eq(outbox.recipient, alertSubscriptions.email), sql`${outbox.createdAt} >= ${alertSubscriptions.createdAt}`));
  const [result] = await getDatabase().writer.batch([
    toStatement(getDb().delete(alertSubscriptions).where(sql`exists ${bounced}`).returning({ id: alertSubscriptions.id })),
  ]);
  const expired = result!.rows.length;
  if (expired) log.info('alerts.bounced_expired', { subscriptions: expired });
  return expired;
}

/** Remove sent and failed alert e-mails (addresses and links) from the outbox after ALERT_MAIL_KEEP_MS; returns how many. */
export async function purgeAlertMail(now = Date.now()): Promise<number> {
  const [result] = await getDatabase().writer.batch([
    toStatement(getDb().delete(outbox).where(and(inArray(outbox.template, [...ALERT_TEMPLATES]), inArray(outbox.status, ['sent', 'dead']), lte(outbox.createdAt, now - ALERT_MAIL_KEEP_MS))).returning({ id: outbox.id })),
  ]);
  return result!.rows.length;
}
