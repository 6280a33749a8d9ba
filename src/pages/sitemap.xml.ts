/** sitemap.xml: the public pages, area pages and every published achievement and initiative. */
import type { APIRoute } from 'astro';
import { sitemapResponse } from '../web/publishing/public.ts';

export const GET: APIRoute = () => sitemapResponse();
