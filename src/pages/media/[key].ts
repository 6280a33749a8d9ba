/** A content image the visitor may see: a published version's, or for an editor a draft's (re-encoded on upload, keys random and never a path); anything else is 404. */
import type { APIRoute } from 'astro';
import { contentImageResponse } from '../../web/publishing/public.ts';

export const GET: APIRoute = ({ params, locals, request }) => contentImageResponse(params.key ?? '', locals, request.headers.get('if-none-match'));
