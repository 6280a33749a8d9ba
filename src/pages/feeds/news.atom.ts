/** Atom 1.0 feed of published achievements. */
import type { APIRoute } from 'astro';
import { feedResponse } from '../../web/publishing/public.ts';

export const GET: APIRoute = () => feedResponse('atom');
