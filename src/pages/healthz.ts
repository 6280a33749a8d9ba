import type { APIRoute } from 'astro';
import { getDatabase } from '../platform/db/client.ts';
import { outboxBacklog } from '../platform/mail/outbox.ts';
import { mayShowHealthDetails } from '../web/health.ts';

const NO_STORE = { 'Cache-Control': 'no-store' };

/** The client's address as the adapter decided it, or null. */
function addressOf(context: Parameters<APIRoute>[0]): string | null {
  try {
    return context.clientAddress ?? null;
  } catch {
    return null;
  }
}

/** Health: 200 when the database answers, 503 otherwise; the outbox backlog and writer figures only for loopback or staff. */
export const GET: APIRoute = async (context) => {
  try {
    await getDatabase().client.execute('SELECT count(*) FROM meta');
    if (!mayShowHealthDetails(addressOf(context), context.locals)) return Response.json({ status: 'ok' }, { headers: NO_STORE });
    const backlog = await outboxBacklog();
    const { commits, jobs, largestGroup } = getDatabase().writer.stats;
    return Response.json({ status: 'ok', outbox: backlog, writer: { commits, jobs, largestGroup } }, { headers: NO_STORE });
  } catch {
    return Response.json({ status: 'unavailable', error: 'database' }, { status: 503, headers: NO_STORE });
  }
};
