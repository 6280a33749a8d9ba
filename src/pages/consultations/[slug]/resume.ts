/** The e-mailed "carry on" link: opens the saved answers in this browser. */
import type { APIRoute } from 'astro';
import { resume } from '../../../web/consultations/public.ts';

export const GET: APIRoute = (ctx) => resume(ctx);
