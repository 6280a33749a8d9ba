import type { APIRoute } from 'astro';
import { getDatabase } from '../platform/db/client.ts';
import { outboxBacklog } from '../platform/mail/outbox.ts';
import { mayShowHealthDetails } from '../web/health.ts';
import { clientAddressOf } from '../web/client-address.ts';

const NO_STORE = { 'Cache-Control': 'no-store' };

/** Health: 200 when the database answers, 503 otherwise; the outbox backlog and writer figures only for loopback or staff. */
export const GET: APIRoute = async (context) => {
  try {
    await getDatabase().client.execute('SELECT count(*) FROM meta');
    if (!mayShowHealthDetails(clientAddressOf(context), context.locals)) return Response.json({ status: 'ok' }, { headers: NO_STORE });
    const backlog = await outboxBacklog();
    const { commits, jobs, largestGroup } = getDatabase().writer.stats;
    return Response.json({ status: 'ok', outbox: backlog, writer: { commits, jobs, largestGroup } }, { headers: NO_STORE });
  } catch {
    return Response.json({ status: 'unavailable', error: 'database' }, { status: 503, headers: NO_STORE });
  }
};
