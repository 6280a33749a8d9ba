/** Who may see the health figures (outbox backlog, writer counts): the machine itself, or signed-in staff. */

/** True for a loopback address (IPv4 127.0.0.0/8, IPv6 ::1, or IPv4-mapped loopback). */
export function isLoopbackAddress(address: string | null | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) || address === '::1';
}

/** True when the health figures may be shown: a loopback client, or a fully signed-in user. */
export function mayShowHealthDetails(clientAddress: string | null | undefined, locals: Pick<App.Locals, 'user' | 'session'>): boolean {
  return isLoopbackAddress(clientAddress) || (!!locals.user && !locals.session?.pendingTwoFactor);
}
