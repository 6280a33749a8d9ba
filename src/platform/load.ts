/**
 * How busy the process is with requests, for background work that gives way to them (the flag refresh): a running
 * clock of the time with at least one request in flight, and the event loop's utilization. The server entry counts
 * each request in and out; a background task reads both clocks twice and compares.
 */
import { eventLoopUtilization, type EventLoopUtilization } from 'node:perf_hooks';

let inFlight = 0;
let busySince = 0;
let busyMs = 0;

/** Count a request in (the server entry, when a request arrives). */
export function requestStarted(now = performance.now()): void {
  if (inFlight++ === 0) busySince = now;
}

/** Count a request out (the server entry, when its response is done with). */
export function requestFinished(now = performance.now()): void {
  if (inFlight === 0) return;
  if (--inFlight === 0) busyMs += now - busySince;
}

/** How many requests are in flight now (a health figure). */
export function requestsInFlight(): number {
  return inFlight;
}

/** A reading of both clocks, to compare with a later one (loadSince). */
export interface LoadMark {
  at: number;
  requestBusyMs: number;
  loop: EventLoopUtilization;
}

/** Read both clocks now. */
export function markLoad(now = performance.now()): LoadMark {
  return { at: now, requestBusyMs: busyMs + (inFlight > 0 ? now - busySince : 0), loop: eventLoopUtilization() };
}

/** Since a mark: the share of the time with a request in flight, and the event loop's utilization (each 0 to 1). */
export function loadSince(mark: LoadMark, now = performance.now()): { requests: number; loop: number } {
  const elapsed = now - mark.at;
  const busy = markLoad(now).requestBusyMs - mark.requestBusyMs;
  return { requests: elapsed > 0 ? Math.min(1, busy / elapsed) : 0, loop: eventLoopUtilization(mark.loop).utilization };
}
