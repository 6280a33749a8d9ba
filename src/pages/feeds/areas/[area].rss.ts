/** RSS 2.0 feed of the achievements of one area (and the areas within it). */
import type { APIRoute } from 'astro';
import { feedResponse } from '../../../web/publishing/public.ts';

export const GET: APIRoute = ({ params }) => feedResponse('rss', params.area ?? '');
