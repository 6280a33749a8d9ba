/** Open311 GeoReport v2: every endpoint, in .xml and .json (src/web/open311.ts). */
import type { APIRoute } from 'astro';
import { handleOpen311 } from '../../../web/open311.ts';

export const GET: APIRoute = (ctx) => handleOpen311(ctx);
export const POST: APIRoute = (ctx) => handleOpen311(ctx);
