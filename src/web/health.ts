/** Health: whether the database answers, and who may see the figures (requests in flight, outbox backlog, writer counts, flag refresh backlog and wait): the machine itself, or signed-in staff. */
import { getDatabase } from '../platform/db/client.ts';
import { outboxBacklog } from '../platform/mail/outbox.ts';
import { flagPassesDeferredCount, flagRefreshBacklog, flagRefreshHeldById, flagRefreshOldestWaitMs } from '../domains/cases/index.ts';
import { requestsInFlight } from '../platform/load.ts';

/** True for a loopback address (IPv4 127.0.0.0/8, IPv6 ::1, or IPv4-mapped loopback). */
export function isLoopbackAddress(address: string | null | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) || address === '::1';
}

/** True when the health figures may be shown: a loopback client, or a fully signed-in user. */
export function mayShowHealthDetails(clientAddress: string | null | undefined, locals: Pick<App.Locals, 'user' | 'session'>): boolean {
  return isLoopbackAddress(clientAddress) || (!!locals.user && !locals.session?.pendingTwoFactor);
}

/** The health answer: 200 when the database answers (with figures for those who may see them), else 503. */
export async function healthResponse(clientAddress: string | null | undefined, locals: Pick<App.Locals, 'user' | 'session'>): Promise<Response> {
  const headers = { 'Cache-Control': 'no-store' };
  try {
    await getDatabase().client.execute('SELECT count(*) FROM meta');
    if (!mayShowHealthDetails(clientAddress, locals)) return Response.json({ status: 'ok' }, { headers });
    const { commits, jobs, largestGroup } = getDatabase().writer.stats;
    return Response.json({ status: 'ok', requests: { inFlight: requestsInFlight() }, outbox: await outboxBacklog(), writer: { commits, jobs, largestGroup }, flagRefresh: { waiting: flagRefreshBacklog(), heldById: flagRefreshHeldById(), oldestWaitMs: Math.round(flagRefreshOldestWaitMs()), deferredPasses: flagPassesDeferredCount() } }, { headers });
  } catch {
    return Response.json({ status: 'unavailable', error: 'database' }, { status: 503, headers });
  }
}
