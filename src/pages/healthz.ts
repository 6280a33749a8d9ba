import type { APIRoute } from 'astro';
import { healthResponse } from '../web/health.ts';
import { clientAddressOf } from '../web/client-address.ts';

/** Health: 200 when the database answers, 503 otherwise; the outbox backlog and writer figures only for loopback or staff. */
export const GET: APIRoute = (context) => healthResponse(clientAddressOf(context), context.locals);
