/** CSV of a consultation's counted responses (free text only with pii.export). */
import type { APIRoute } from 'astro';
import { guardRequest } from '../../../../web/guards.ts';
import { exportCsv } from '../../../../web/consultations/staff.ts';

export const GET: APIRoute = async (ctx) => (await guardRequest(ctx, 'publish')) ?? exportCsv(ctx);
