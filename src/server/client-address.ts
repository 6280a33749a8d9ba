/**
 * The client's address, worked out once per request by the server module and handed to Astro as
 * locals.clientAddress. With TRUSTED_PROXY_HOPS = 0 it is the socket address and X-Forwarded-For is
 * ignored. With N trusted proxies in front, each appending the address it saw, the socket address is the
 * last proxy and the client is the Nth entry of X-Forwarded-For counted from the right; anything further
 * left was written by the client and is never used.
 */
import { isIP } from 'node:net';

/** An address without an IPv4-mapped prefix, brackets or port; null when it is not an IP address. */
export function normalizeAddress(value: string | undefined | null): string | null {
  if (!value) return null;
  let v = value.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(v);
  if (bracketed) v = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(v)) v = v.slice(0, v.lastIndexOf(':'));
  if (v.toLowerCase().startsWith('::ffff:') && isIP(v.slice(7)) === 4) v = v.slice(7);
  return isIP(v) ? v.toLowerCase() : null;
}

/** The client address for a request from `socketAddress` with these X-Forwarded-For header values, trusting `hops` proxies. */
export function resolveClientAddress(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, hops: number): string | null {
  const socket = normalizeAddress(socketAddress);
  if (hops <= 0 || forwardedFor === undefined) return socket;
  const entries = [forwardedFor]
    .flat()
    .flatMap((h) => h.split(','))
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) return socket;
  // Fewer entries than hops: the leftmost one was still written by a trusted proxy.
  const chosen = entries[Math.max(0, entries.length - hops)];
  return normalizeAddress(chosen) ?? socket;
}
