/** The order of case timelines, shared by every page and export that lists a case's entries. */
import { asc, desc, sql } from 'drizzle-orm';
import { caseEvents } from '../../platform/db/schema.ts';

/**
 * Oldest first: by time, then in the order written. The entries of one commit share their millisecond, and the
 * random tails of their ids would otherwise shuffle them ("flags set" before "report received").
 */
export const TIMELINE_OLDEST_FIRST = [asc(caseEvents.at), asc(sql`"case_events"."rowid"`)] as const;

/** Newest first: the reverse of TIMELINE_OLDEST_FIRST. */
export const TIMELINE_NEWEST_FIRST = [desc(caseEvents.at), desc(sql`"case_events"."rowid"`)] as const;
