/** CSV of a meeting's registrants with their e-mail addresses (publish and pii.export); audited. */
import type { APIRoute } from 'astro';
import { guardRequest } from '../../../../../../web/guards.ts';
import { registrantsCsv } from '../../../../../../web/consultations/registrants.ts';

export const GET: APIRoute = async (ctx) => (await guardRequest(ctx, 'publish', 'pii.export')) ?? registrantsCsv(ctx);
