/** Stop viewing a tracked report: forget the tracking cookie and go back to the tracking start page. */
import type { APIRoute } from 'astro';
import { endTrackAccess } from '../../web/track-access.ts';

/** Clear the `track` cookie and 303 to /track, which says the report is no longer shown (a link, so GET only). */
export const GET: APIRoute = (context) => {
  endTrackAccess(context);
  return context.redirect('/track?stopped=1', 303);
};
