/** Reads the staff session cookie into locals. Filled in by the staff accounts module. */
import type { APIContext } from 'astro';

/** Load the signed-in user (if any) into context.locals. */
export async function loadSession(context: APIContext): Promise<void> {
  context.locals.user = null;
  context.locals.session = null;
}
