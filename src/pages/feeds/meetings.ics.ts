/** iCalendar feed of upcoming public meetings. */
import type { APIRoute } from 'astro';
import { meetingsFeed } from '../../web/consultations/meetings.ts';

export const GET: APIRoute = () => meetingsFeed();
