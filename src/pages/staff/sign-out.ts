/** POST /staff/sign-out: end this session, or with all=1 every session of this user (sign out everywhere). */
import type { APIRoute } from 'astro';
import { handleSignOut } from '../../web/staff/sign-in.ts';

export const POST: APIRoute = (context) => handleSignOut(context);
