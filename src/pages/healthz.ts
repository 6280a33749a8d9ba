import type { APIRoute } from 'astro';
import { getDatabase } from '../platform/db/client.ts';
import { outboxBacklog } from '../platform/mail/outbox.ts';

/** Health: 200 when the database answers, 503 otherwise; includes the outbox backlog. */
export const GET: APIRoute = async () => {
  try {
    await getDatabase().client.execute('SELECT count(*) FROM meta');
    const backlog = await outboxBacklog();
    const { commits, jobs, largestGroup } = getDatabase().writer.stats;
    return Response.json({ status: 'ok', outbox: backlog, writer: { commits, jobs, largestGroup } }, { headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    return Response.json({ status: 'unavailable', error: 'database' }, { status: 503, headers: { 'Cache-Control': 'no-store' } });
  }
};
