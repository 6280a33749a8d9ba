/** A meeting's calendar file (iCalendar). */
import type { APIRoute } from 'astro';
import { calendarFile } from '../../../web/consultations/meetings.ts';

export const GET: APIRoute = (ctx) => calendarFile(ctx);
