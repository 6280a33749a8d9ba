/** Leases: a row held by one worker for a while, renewed while the work lasts, so no other process takes it meanwhile. */
import { log } from '../log.ts';

/** Run work while renewing its lease every intervalMs; a renewal that finds the lease gone is logged once. */
export async function whileRenewing<T>(work: () => Promise<T>, renew: () => Promise<boolean>, intervalMs: number, what: Record<string, unknown>): Promise<T> {
  let lost = false;
  let renewing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    renewing = renew()
      .then((held) => {
        if (!held && !lost) {
          lost = true;
          log.warn('lease.lost', what);
        }
      })
      .catch((error: unknown) => log.warn('lease.renew_failed', { ...what, error: String(error) }));
  }, intervalMs);
  timer.unref();
  try {
    return await work();
  } finally {
    clearInterval(timer);
    await renewing;
  }
}
