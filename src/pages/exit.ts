/** Exit this page: clear the report draft and tracking cookies and leave for a neutral site. */
import type { APIRoute } from 'astro';

const DESTINATION = 'https://www.bbc.co.uk/weather';

/** Clear the `draft` cookie (set on /report; also cleared on / to be safe) and the `track` cookie, then 303 to the neutral destination. */
const leave: APIRoute = () => {
  const headers = new Headers({ Location: DESTINATION, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
  headers.append('Set-Cookie', 'draft=; Path=/report; Max-Age=0; HttpOnly; SameSite=Lax');
  headers.append('Set-Cookie', 'draft=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax');
  headers.append('Set-Cookie', 'track=; Path=/track; Max-Age=0; HttpOnly; SameSite=Lax');
  return new Response(null, { status: 303, headers });
};

export const GET = leave;
export const POST = leave;
