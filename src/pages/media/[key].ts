/** A published content image (re-encoded on upload, keys random and never a path); anything else is 404. */
import type { APIRoute } from 'astro';
import { contentImageResponse } from '../../web/publishing/public.ts';

export const GET: APIRoute = ({ params }) => contentImageResponse(params.key ?? '');
