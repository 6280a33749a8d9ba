/**
 * The Saferline schema (Drizzle, SQLite dialect on libSQL).
 * Conventions: text ids made by the app (time-ordered, see ids.ts), integer millisecond timestamps,
 * enums as text with CHECK-free app validation, small JSON in text columns.
 * Designed from shared research triage.md section (c).
 */
import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

const ts = (name: string) => integer(name);

/** County > district > ward, synced from content/config on start. */
export const areas = sqliteTable('areas', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind', { enum: ['county', 'district', 'ward'] }).notNull(),
  parentId: text('parent_id'),
  population: integer('population').notNull().default(0),
  position: integer('position').notNull().default(0),
});

/** Partner agencies (police, ASB team, fire, highways, housing, youth offending). */
export const agencies = sqliteTable('agencies', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind').notNull(),
  email: text('email'),
  publicNameVisible: integer('public_name_visible', { mode: 'boolean' }).notNull().default(true),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
});

/** What a report can be about, with emergency and sensitivity flags. */
export const categories = sqliteTable('categories', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  hint: text('hint').notNull().default(''),
  sensitive: integer('sensitive', { mode: 'boolean' }).notNull().default(false),
  emergency: integer('emergency', { mode: 'boolean' }).notNull().default(false),
  defaultAgencyId: text('default_agency_id'),
  agencyIds: text('agency_ids', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
  defaultPriority: text('default_priority').notNull().default('P3'),
  position: integer('position').notNull().default(0),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
});

/** Staff accounts. Residents never have accounts. */
export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role').notNull(),
    agencyId: text('agency_id'),
    /** For roles that bind a district (roles.json bindsDistrict): the district whose records this user sees. */
    districtId: text('district_id'),
    passwordHash: text('password_hash'),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    totpKey: blob('totp_key', { mode: 'buffer' }),
    totpEnabledAt: ts('totp_enabled_at'),
    recoveryCodes: text('recovery_codes', { mode: 'json' }).$type<string[]>(),
    lastSignInAt: ts('last_sign_in_at'),
    passwordChangedAt: ts('password_changed_at'),
    inRotation: integer('in_rotation', { mode: 'boolean' }).notNull().default(true),
    lastAssignedAt: ts('last_assigned_at'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [uniqueIndex('users_email').on(t.email)],
);

/** Staff sessions in the Lucia way: token = id.secret, only SHA-256(secret) stored. */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    secretHash: blob('secret_hash', { mode: 'buffer' }).notNull(),
    createdAt: ts('created_at').notNull(),
    lastVerifiedAt: ts('last_verified_at').notNull(),
    twoFactorVerified: integer('two_factor_verified', { mode: 'boolean' }).notNull().default(false),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

/** Single-use tokens for password reset and invitations (secret stored hashed). */
export const userTokens = sqliteTable(
  'user_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['reset', 'invite'] }).notNull(),
    secretHash: blob('secret_hash', { mode: 'buffer' }).notNull(),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
  },
  (t) => [index('user_tokens_user').on(t.userId)],
);

/** A person who reported or called; contact points are normalised for look-up. */
export const reporters = sqliteTable(
  'reporters',
  {
    id: text('id').primaryKey(),
    name: text('name'),
    email: text('email'),
    phoneE164: text('phone_e164'),
    preferredContact: text('preferred_contact'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('reporters_email').on(t.email), index('reporters_phone').on(t.phoneE164)],
);

/** Every report, feedback item and call-created case: one row, one queue. */
export const cases = sqliteTable(
  'cases',
  {
    id: text('id').primaryKey(),
    ref: text('ref').notNull(),
    kind: text('kind', { enum: ['report', 'feedback'] }).notNull().default('report'),
    status: text('status').notNull().default('new'),
    statusChangedAt: ts('status_changed_at').notNull(),
    channel: text('channel', { enum: ['web', 'phone', 'email', 'api', 'partner'] }).notNull(),
    categoryId: text('category_id'),
    feedbackType: text('feedback_type'),
    priority: text('priority'),
    riskAnswers: text('risk_answers', { mode: 'json' }).$type<Record<string, string>>(),
    privacy: text('privacy', { enum: ['named', 'confidential', 'anonymous'] }).notNull(),
    consentShare: integer('consent_share', { mode: 'boolean' }),
    reporterId: text('reporter_id').references(() => reporters.id),
    description: text('description').notNull(),
    whenKind: text('when_kind'),
    happenedAt: ts('happened_at'),
    whenText: text('when_text'),
    locationText: text('location_text'),
    postcode: text('postcode'),
    wardId: text('ward_id'),
    districtId: text('district_id'),
    lat: real('lat'),
    lon: real('lon'),
    /** Where the coordinates came from: the postcode's centroid, a pin dropped on the map, or an API caller. */
    locationSource: text('location_source', { enum: ['postcode', 'pin', 'api'] }),
    peopleInvolved: text('people_involved'),
    whoAffected: text('who_affected'),
    happenedBefore: text('happened_before'),
    ownerId: text('owner_id'),
    team: text('team'),
    referredAgencyId: text('referred_agency_id'),
    resolutionCode: text('resolution_code'),
    incidentId: text('incident_id'),
    duplicateOf: text('duplicate_of'),
    flags: text('flags', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    tags: text('tags', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    nextDueAt: ts('next_due_at'),
    /** The earliest due time among the case's open referrals (acknowledge while sent, else complete), for the queue's referral-overdue count. */
    referralDueAt: ts('referral_due_at'),
    timers: text('timers', { mode: 'json' }).$type<Record<string, unknown>>(),
    reopenUntil: ts('reopen_until'),
    trackCode: text('track_code'),
    trackSecretHash: blob('track_secret_hash', { mode: 'buffer' }),
    linkTokenHash: blob('link_token_hash', { mode: 'buffer' }),
    idempotencyKey: text('idempotency_key'),
    createdBy: text('created_by'),
    /** i18n: the language the report or feedback was made in (a content/locales code); resident e-mails use it. */
    language: text('language').notNull().default('en'),
    receivedAt: ts('received_at').notNull(),
    /** Optimistic concurrency: every case update checks and bumps it. */
    version: integer('version').notNull().default(0),
    updatedAt: ts('updated_at').notNull(),
    resolvedAt: ts('resolved_at'),
    closedAt: ts('closed_at'),
    /** Legal hold: while set, neither an erasure request nor the retention schedule touches the case. */
    legalHold: integer('legal_hold', { mode: 'boolean' }).notNull().default(false),
    legalHoldReason: text('legal_hold_reason'),
    legalHoldBy: text('legal_hold_by'),
    legalHoldAt: ts('legal_hold_at'),
    /** When the personal data was removed (erasure request or retention); the statistics fields stay. */
    anonymisedAt: ts('anonymised_at'),
  },
  (t) => [
    uniqueIndex('cases_ref').on(t.ref),
    uniqueIndex('cases_idempotency').on(t.idempotencyKey),
    uniqueIndex('cases_track_code').on(t.trackCode),
    index('cases_received').on(t.receivedAt, t.id),
    index('cases_status_received').on(t.status, t.receivedAt, t.id),
    index('cases_category_received').on(t.categoryId, t.receivedAt, t.id),
    index('cases_district_received').on(t.districtId, t.receivedAt, t.id),
    index('cases_ward_received').on(t.wardId, t.receivedAt, t.id),
    // Ends with the status: the queue's count of P1 and P2 cases in a month (a third of the month's cases) reads it
    // from the index alone (src/domains/cases/queue-counts.ts).
    index('cases_priority_received').on(t.priority, t.receivedAt, t.id, t.status),
    index('cases_channel_received').on(t.channel, t.receivedAt, t.id),
    index('cases_owner_received').on(t.ownerId, t.receivedAt, t.id),
    index('cases_agency_received').on(t.referredAgencyId, t.receivedAt, t.id),
    index('cases_due').on(t.nextDueAt),
    // The active cases only (the queue's default view; a few in a hundred after years of closed cases): in received
    // order, covering the overdue, flag and tag filters and the due sort's cases without a due time; and by priority
    // (src/domains/cases/queue.ts). The statuses are ACTIVE_STATUS_TERM written out; a test checks that they agree.
    index('cases_active_received').on(t.receivedAt, t.id, t.nextDueAt, t.flags, t.tags).where(sql`status IN ('new', 'open', 'awaiting_reporter', 'referred', 'with_partner')`),
    index('cases_active_priority').on(t.priority, t.receivedAt, t.id).where(sql`status IN ('new', 'open', 'awaiting_reporter', 'referred', 'with_partner')`),
    // Resolved cases by the end of their reopen window: the ones to close (src/domains/cases/auto-close.ts).
    index('cases_resolved_reopen').on(t.status, t.reopenUntil).where(sql`status = 'resolved'`),
    index('cases_reporter').on(t.reporterId),
    // Partial: most cases belong to no incident, and statistics (ANALYZE) over the NULLs would tell the planner that
    // an incident matches every case (a full scan for five cases).
    index('cases_incident').on(t.incidentId).where(sql`incident_id IS NOT NULL`),
    // Covers the queue's per-status counts with any single facet filter (an index-only scan of the active statuses).
    index('cases_status_facets').on(t.status, t.categoryId, t.districtId, t.wardId, t.priority, t.channel, t.ownerId, t.nextDueAt),
    // The queue's counts for the filters the counters cannot answer (src/domains/cases/queue-counts.ts): partial
    // indexes over the few cases that can match, each covering every facet, so such a count reads only those entries.
    index('cases_due_facets').on(t.status, t.nextDueAt, t.categoryId, t.districtId, t.wardId, t.priority, t.channel, t.ownerId, t.referredAgencyId, t.flags, t.tags).where(sql`next_due_at IS NOT NULL`),
    index('cases_referral_due_facets').on(t.status, t.referralDueAt, t.categoryId, t.districtId, t.wardId, t.priority, t.channel, t.ownerId, t.referredAgencyId, t.flags, t.tags).where(sql`referral_due_at IS NOT NULL`),
    // The label indexes also end with the queue's sort keys (received time, id, due time), so a list of the few cases
    // with a flag or tag finds its page in the index alone and reads only that page's rows (src/domains/cases/queue.ts).
    index('cases_tagged_facets').on(t.status, t.categoryId, t.districtId, t.wardId, t.priority, t.channel, t.ownerId, t.referredAgencyId, t.flags, t.tags, t.receivedAt, t.id, t.nextDueAt).where(sql`tags <> '[]'`),
    index('cases_flag_repeat_reporter_facets').on(t.status, t.categoryId, t.districtId, t.wardId, t.priority, t.channel, t.ownerId, t.referredAgencyId, t.flags, t.tags, t.receivedAt, t.id, t.nextDueAt).where(sql`flags LIKE '%"repeat_reporter"%'`),
    index('cases_flag_repeat_location_facets').on(t.status, t.categoryId, t.districtId, t.wardId, t.priority, t.channel, t.ownerId, t.referredAgencyId, t.flags, t.tags, t.receivedAt, t.id, t.nextDueAt).where(sql`flags LIKE '%"repeat_location"%'`),
    index('cases_flag_asb_case_review_facets').on(t.status, t.categoryId, t.districtId, t.wardId, t.priority, t.channel, t.ownerId, t.referredAgencyId, t.flags, t.tags, t.receivedAt, t.id, t.nextDueAt).where(sql`flags LIKE '%"asb_case_review"%'`),
    index('cases_place').on(t.categoryId, t.postcode, t.receivedAt),
    /** Nearby cases (src/domains/geography/nearby.ts): a bounding box on latitude, then longitude and time from the index. */
    index('cases_location').on(t.lat, t.lon, t.receivedAt),
    // The dashboard's repeat victims and Case Review thresholds (src/domains/insight/dashboard.ts): partial indexes
    // over the few flagged cases, so a period's flagged cases are read without scanning the period.
    index('cases_repeat_reporter').on(t.receivedAt, t.districtId, t.reporterId, t.kind, t.resolutionCode).where(sql`flags LIKE '%"repeat_reporter"%'`),
    index('cases_case_review').on(t.receivedAt, t.districtId, t.kind, t.resolutionCode).where(sql`flags LIKE '%"asb_case_review"%'`),
    // The tasking list's open cases over a repeat threshold (src/domains/insight/tasking.ts), one per flag.
    index('cases_open_asb_case_review').on(t.status, t.wardId, t.districtId, t.referredAgencyId).where(sql`flags LIKE '%"asb_case_review"%'`),
    index('cases_open_repeat_location').on(t.status, t.wardId, t.districtId, t.referredAgencyId).where(sql`flags LIKE '%"repeat_location"%'`),
    index('cases_open_repeat_reporter').on(t.status, t.wardId, t.districtId, t.referredAgencyId).where(sql`flags LIKE '%"repeat_reporter"%'`),
  ],
);

/** Photos attached to a case: re-encoded, metadata stripped, stored outside public/. */
export const attachments = sqliteTable(
  'attachments',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    storageKey: text('storage_key').notNull(),
    mime: text('mime').notNull(),
    bytes: integer('bytes').notNull(),
    width: integer('width'),
    height: integer('height'),
    sha256: text('sha256').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('attachments_case').on(t.caseId)],
);

/** Append-only case timeline: every change, note, reply and message. */
export const caseEvents = sqliteTable(
  'case_events',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    at: ts('at').notNull(),
    actorKind: text('actor_kind', { enum: ['public', 'user', 'system'] }).notNull(),
    actorId: text('actor_id'),
    action: text('action').notNull(),
    visibility: text('visibility', { enum: ['internal', 'reporter', 'partner'] }).notNull().default('internal'),
    body: text('body'),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>(),
  },
  (t) => [index('case_events_case').on(t.caseId, t.at)],
);

/** Audit of everything that is not a case timeline entry: sign-ins, admin changes, PII views. */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    id: text('id').primaryKey(),
    at: ts('at').notNull(),
    actorKind: text('actor_kind', { enum: ['public', 'user', 'system'] }).notNull(),
    actorId: text('actor_id'),
    action: text('action').notNull(),
    subjectKind: text('subject_kind'),
    subjectId: text('subject_id'),
    ip: text('ip'),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>(),
  },
  (t) => [index('audit_events_at').on(t.at), index('audit_events_subject').on(t.subjectKind, t.subjectId)],
);

/** Durable outbox: e-mail leaves through here, sent by the worker with retries. */
export const outbox = sqliteTable(
  'outbox',
  {
    id: text('id').primaryKey(),
    template: text('template').notNull(),
    recipient: text('recipient').notNull(),
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: ['pending', 'sent', 'dead'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull(),
    /** The worker that holds the row while it sends it; every change checks it. */
    leaseToken: text('lease_token'),
    leaseUntil: ts('lease_until'),
    lastError: text('last_error'),
    createdAt: ts('created_at').notNull(),
    sentAt: ts('sent_at'),
  },
  (t) => [index('outbox_due').on(t.status, t.nextAttemptAt)],
);

/** Scheduled jobs: one row per job name, leased by one process at a time, with when it last ran. */
export const jobs = sqliteTable('jobs', {
  name: text('name').primaryKey(),
  leaseToken: text('lease_token'),
  leaseUntil: ts('lease_until'),
  lastRunAt: ts('last_run_at'),
  lastError: text('last_error'),
});

/** Fixed-window counters for database-backed rate limits. */
export const rateLimits = sqliteTable(
  'rate_limits',
  {
    key: text('key').notNull(),
    windowStart: ts('window_start').notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] })],
);

/** A resident's answers while they go through the report journey. */
export const drafts = sqliteTable('drafts', {
  id: text('id').primaryKey(),
  kind: text('kind').notNull(),
  data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  caseId: text('case_id'),
  createdAt: ts('created_at').notNull(),
  updatedAt: ts('updated_at').notNull(),
});

/** Optional equality monitoring answers, deliberately not linked to any case. */
export const equalityResponses = sqliteTable('equality_responses', {
  id: text('id').primaryKey(),
  month: text('month').notNull(),
  data: text('data', { mode: 'json' }).$type<Record<string, string>>().notNull(),
});

/** Hotline calls, with or without a case. */
export const calls = sqliteTable(
  'calls',
  {
    id: text('id').primaryKey(),
    handlerId: text('handler_id').notNull(),
    startedAt: ts('started_at').notNull(),
    durationS: integer('duration_s').notNull(),
    reason: text('reason').notNull(),
    outcome: text('outcome').notNull(),
    caseId: text('case_id'),
    callerName: text('caller_name'),
    callerPhoneE164: text('caller_phone_e164'),
    callerEmail: text('caller_email'),
    adviceSlugs: text('advice_slugs', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    notes: text('notes'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    index('calls_started').on(t.startedAt),
    index('calls_handler').on(t.handlerId, t.startedAt),
    index('calls_phone').on(t.callerPhoneE164),
    index('calls_email').on(t.callerEmail),
    // The dashboard's calls handled and abandoned in a period, read from the index alone.
    index('calls_started_outcome').on(t.startedAt, t.outcome),
  ],
);

/** A user's saved queue filters. */
export const savedViews = sqliteTable(
  'saved_views',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    query: text('query').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('saved_views_user').on(t.userId)],
);

/** Incidents group reports of the same event from several reporters. */
export const incidents = sqliteTable('incidents', {
  id: text('id').primaryKey(),
  title: text('title').notNull(),
  createdBy: text('created_by'),
  createdAt: ts('created_at').notNull(),
});

/** Key/value facts the app keeps about itself (round-robin cursor, config hash). */
export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/**
 * A referral of a case to one partner agency, with its own lifecycle (src/domains/referrals). The snapshot is the
 * frozen copy of what was shared, with the legal basis; partners only ever see it, never the case.
 */
export const referrals = sqliteTable(
  'referrals',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    agencyId: text('agency_id').notNull(),
    status: text('status', { enum: ['sent', 'acknowledged', 'accepted', 'declined', 'in_progress', 'completed', 'returned', 'withdrawn'] }).notNull(),
    snapshot: text('snapshot', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    sentBy: text('sent_by').notNull(),
    sentAt: ts('sent_at').notNull(),
    acknowledgeDueAt: ts('acknowledge_due_at').notNull(),
    completeDueAt: ts('complete_due_at').notNull(),
    acknowledgedAt: ts('acknowledged_at'),
    acceptedAt: ts('accepted_at'),
    closedAt: ts('closed_at'),
    reason: text('reason'),
    outcome: text('outcome'),
    version: integer('version').notNull().default(0),
    updatedAt: ts('updated_at').notNull(),
    /** When the triage team was told that the referral was not acknowledged in time (once per referral). */
    escalatedAt: ts('escalated_at'),
  },
  (t) => [
    index('referrals_case').on(t.caseId),
    // The queue's referral-overdue count (src/domains/cases/queue-counts.ts): the open referrals past a due time.
    index('referrals_open_due').on(t.status, t.completeDueAt, t.acknowledgeDueAt, t.caseId),
    index('referrals_agency_status').on(t.agencyId, t.status, t.sentAt),
    // A partner's referral list, newest first a page at a time (src/domains/referrals/actions.ts listAgencyReferrals).
    index('referrals_agency_list').on(t.agencyId, t.id),
    // The dashboard's referrals sent in a period (src/domains/insight/dashboard.ts).
    index('referrals_sent').on(t.sentAt, t.agencyId, t.acknowledgedAt, t.acknowledgeDueAt, t.caseId),
  ],
);

/** The daily digest of outstanding referrals sent to each agency's inbox: one row per agency and London day. */
export const referralDigests = sqliteTable(
  'referral_digests',
  {
    agencyId: text('agency_id').notNull(),
    /** The London date, YYYY-MM-DD. */
    day: text('day').notNull(),
    outstanding: integer('outstanding').notNull(),
    sentAt: ts('sent_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.agencyId, t.day] })],
);

/*
 * Referrals, remaining parts (issue 12): district teams and documents partners attach to referral updates.
 */

/** A user's district team: the districts whose cases they see (none: county-wide, or the role's own binding). */
export const userDistricts = sqliteTable(
  'user_districts',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    districtId: text('district_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.districtId] }), index('user_districts_district').on(t.districtId)],
);

/** A document a partner officer attached to a referral update: type sniffed from its content, stored outside public/. */
export const referralDocuments = sqliteTable(
  'referral_documents',
  {
    id: text('id').primaryKey(),
    referralId: text('referral_id')
      .notNull()
      .references(() => referrals.id, { onDelete: 'cascade' }),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    agencyId: text('agency_id').notNull(),
    /** The timeline entry (referral.update) it belongs to. */
    eventId: text('event_id').notNull(),
    filename: text('filename').notNull(),
    storageKey: text('storage_key').notNull(),
    mime: text('mime').notNull(),
    bytes: integer('bytes').notNull(),
    sha256: text('sha256').notNull(),
    uploadedBy: text('uploaded_by').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('referral_documents_referral').on(t.referralId), index('referral_documents_case').on(t.caseId)],
);

// publishing
/**
 * A published content item (src/domains/publishing): an achievement, an initiative, an improvement-plan
 * recommendation, a value-for-money self-assessment, an area priority or a board or group. The item holds the
 * workflow state; its text lives in numbered versions. The public sees the published version only, and only
 * once its publish time has come (a scheduled item is public from publishAt).
 */
export const contentItems = sqliteTable(
  'content_items',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['achievement', 'initiative', 'recommendation', 'assessment', 'priority', 'group'] }).notNull(),
    slug: text('slug').notNull(),
    districtId: text('district_id'),
    status: text('status', { enum: ['draft', 'review', 'published', 'scheduled', 'unpublished'] }).notNull(),
    currentVersion: integer('current_version').notNull(),
    publishedVersion: integer('published_version'),
    publishAt: ts('publish_at'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [uniqueIndex('content_items_kind_slug').on(t.kind, t.slug), index('content_items_public').on(t.kind, t.status, t.publishAt)],
);

/** Every version of a content item, with who saved it and when; never changed or deleted. */
export const contentVersions = sqliteTable(
  'content_versions',
  {
    itemId: text('item_id')
      .notNull()
      .references(() => contentItems.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    authorId: text('author_id').notNull(),
    authorName: text('author_name').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.itemId, t.version] })],
);

/** Workflow history of a content item: sent for review, published, scheduled, unpublished, with who and when. */
export const contentEvents = sqliteTable(
  'content_events',
  {
    id: text('id').primaryKey(),
    itemId: text('item_id')
      .notNull()
      .references(() => contentItems.id, { onDelete: 'cascade' }),
    action: text('action').notNull(),
    version: integer('version').notNull(),
    actorName: text('actor_name').notNull(),
    at: ts('at').notNull(),
    publishAt: ts('publish_at'),
  },
  (t) => [index('content_events_item').on(t.itemId, t.at)],
);

// open311

/**
 * Open311 API keys (src/domains/open311/keys.ts). The key is `id.secret`; only SHA-256(secret) is stored, as for
 * sessions. A key may read and/or write, for every service (services null) or the listed service codes only.
 */
export const apiKeys = sqliteTable('api_keys', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  secretHash: blob('secret_hash', { mode: 'buffer' }).notNull(),
  services: text('services', { mode: 'json' }).$type<string[]>(),
  canRead: integer('can_read', { mode: 'boolean' }).notNull().default(false),
  canWrite: integer('can_write', { mode: 'boolean' }).notNull().default(false),
  perMinute: integer('per_minute').notNull().default(60),
  createdBy: text('created_by'),
  createdAt: ts('created_at').notNull(),
  revokedAt: ts('revoked_at'),
  revokedBy: text('revoked_by'),
  lastUsedAt: ts('last_used_at'),
});

/** A case created through Open311: the token handed back to the client and the key that posted it. */
export const open311Requests = sqliteTable(
  'open311_requests',
  {
    token: text('token').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    keyId: text('key_id').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [uniqueIndex('open311_requests_case').on(t.caseId), index('open311_requests_key').on(t.keyId, t.createdAt)],
);

// insight
/**
 * Pre-aggregated case counts (src/domains/insight): one row per London month of receipt and combination of the
 * counted case fields, kept in the same write as every case creation and counted-field change; '' stands for none.
 */
export const insightCounts = sqliteTable(
  'insight_counts',
  {
    month: text('month').notNull(),
    kind: text('kind').notNull(),
    channel: text('channel').notNull(),
    categoryId: text('category_id').notNull(),
    districtId: text('district_id').notNull(),
    wardId: text('ward_id').notNull(),
    status: text('status').notNull(),
    resolution: text('resolution').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.month, t.kind, t.channel, t.categoryId, t.districtId, t.wardId, t.status, t.resolution] })],
);

// insight: dashboard
/**
 * The partner dashboard's pre-aggregate (src/domains/insight/report-counts.ts): counted reports (not duplicates or
 * spam) per London month of receipt, district, ward, category and channel; '' stands for none. No status, so status
 * changes never touch it. Kept in the same write as every case creation and counted-field change.
 */
export const insightReportCounts = sqliteTable(
  'insight_report_counts',
  {
    month: text('month').notNull(),
    districtId: text('district_id').notNull(),
    wardId: text('ward_id').notNull(),
    categoryId: text('category_id').notNull(),
    channel: text('channel').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.month, t.districtId, t.wardId, t.categoryId, t.channel] })],
);

// consultations

/** A consultation: its survey (questions as data), dates, lifecycle and published "we asked, you said, we did". */
export const consultations = sqliteTable(
  'consultations',
  {
    id: text('id').primaryKey(),
    slug: text('slug').notNull(),
    title: text('title').notNull(),
    summary: text('summary').notNull().default(''),
    /** A ward or district id, or null for the whole partnership. */
    areaId: text('area_id'),
    topic: text('topic').notNull(),
    /** 'draft' until an editor publishes it; the public state then follows the dates. */
    status: text('status', { enum: ['draft', 'published'] }).notNull().default('draft'),
    opensAt: ts('opens_at'),
    closesAt: ts('closes_at'),
    /** The survey: an array of SurveyQuestion (src/domains/consultations/survey.ts). */
    questions: text('questions', { mode: 'json' }).$type<unknown[]>().notNull().default(sql`'[]'`),
    /** Ask for an e-mail address and count one confirmed response per address. */
    onePerEmail: integer('one_per_email', { mode: 'boolean' }).notNull().default(false),
    /** Offer the optional "about you" questions (age band, ward). */
    aboutYou: integer('about_you', { mode: 'boolean' }).notNull().default(true),
    resultsPublishedAt: ts('results_published_at'),
    youSaid: text('you_said').notNull().default(''),
    weDid: text('we_did').notNull().default(''),
    /** Links to what followed (actions, initiatives, improvement-plan items): [{ title, url }]. */
    weDidLinks: text('we_did_links', { mode: 'json' }).$type<{ title: string; url: string }[]>().notNull().default(sql`'[]'`),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [uniqueIndex('consultations_slug').on(t.slug), index('consultations_closes').on(t.status, t.closesAt)],
);

/** A response: answers by question key, the channel it came by; never who gave it (see consultation_profile_counts). */
export const consultationResponses = sqliteTable(
  'consultation_responses',
  {
    id: text('id').primaryKey(),
    consultationId: text('consultation_id').notNull().references(() => consultations.id, { onDelete: 'cascade' }),
    channel: text('channel', { enum: ['online', 'paper', 'phone', 'meeting'] }).notNull(),
    answers: text('answers', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    /** 'pending' while an e-mailed confirmation is awaited (one response per address); only 'counted' is in results. */
    state: text('state', { enum: ['pending', 'counted'] }).notNull().default('counted'),
    /** HMAC of the e-mail address, only for one-response-per-address consultations. */
    emailHash: text('email_hash'),
    /** The address, kept only until the response is confirmed. */
    email: text('email'),
    confirmSecretHash: text('confirm_secret_hash'),
    /** A pending response's "about you" answers, counted (consultation_profile_counts) and cleared when it is confirmed. */
    pendingProfile: text('pending_profile', { mode: 'json' }).$type<{ ageBand?: string; wardId?: string }>(),
    enteredBy: text('entered_by'),
    submittedAt: ts('submitted_at').notNull(),
  },
  (t) => [
    index('consultation_responses_by').on(t.consultationId, t.state),
    uniqueIndex('consultation_responses_email').on(t.consultationId, t.emailHash),
    // The dashboard's responses received in a period.
    index('consultation_responses_submitted').on(t.submittedAt, t.state, t.consultationId),
  ],
);

/** A response in progress: answers so far and the resume secret (only its hash). */
export const consultationDrafts = sqliteTable('consultation_drafts', {
  id: text('id').primaryKey(),
  consultationId: text('consultation_id').notNull().references(() => consultations.id, { onDelete: 'cascade' }),
  answers: text('answers', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  secretHash: text('secret_hash').notNull(),
  /** The section the respondent reached. */
  section: integer('section').notNull().default(0),
  createdAt: ts('created_at').notNull(),
  updatedAt: ts('updated_at').notNull(),
});

/**
 * The optional "about you" answers as counts: how many counted responses gave each age band, ward and channel. Never a
 * row per respondent, so nothing (no id, no time, no row order) can tie a profile to the answers it came with. '' for
 * a question not answered.
 */
export const consultationProfileCounts = sqliteTable(
  'consultation_profile_counts',
  {
    consultationId: text('consultation_id').notNull().references(() => consultations.id, { onDelete: 'cascade' }),
    ageBand: text('age_band').notNull().default(''),
    wardId: text('ward_id').notNull().default(''),
    channel: text('channel').notNull(),
    n: integer('n').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.consultationId, t.ageBand, t.wardId, t.channel] })],
);

/** Themes staff tag free-text answers with. */
export const consultationThemes = sqliteTable(
  'consultation_themes',
  {
    id: text('id').primaryKey(),
    consultationId: text('consultation_id').notNull().references(() => consultations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
  },
  (t) => [uniqueIndex('consultation_themes_name').on(t.consultationId, t.name)],
);

/** One theme on one free-text answer. */
export const consultationTags = sqliteTable(
  'consultation_tags',
  {
    responseId: text('response_id').notNull().references(() => consultationResponses.id, { onDelete: 'cascade' }),
    questionKey: text('question_key').notNull(),
    themeId: text('theme_id').notNull().references(() => consultationThemes.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.responseId, t.questionKey, t.themeId] })],
);

/** A public meeting of a consultation. */
export const consultationMeetings = sqliteTable(
  'consultation_meetings',
  {
    id: text('id').primaryKey(),
    consultationId: text('consultation_id').notNull().references(() => consultations.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    startsAt: ts('starts_at').notNull(),
    endsAt: ts('ends_at').notNull(),
    place: text('place').notNull(),
    areaId: text('area_id'),
    stepFree: integer('step_free', { mode: 'boolean' }).notNull().default(false),
    hearingLoop: integer('hearing_loop', { mode: 'boolean' }).notNull().default(false),
    accessNotes: text('access_notes').notNull().default(''),
    capacity: integer('capacity').notNull(),
    notes: text('notes').notNull().default(''),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('consultation_meetings_starts').on(t.startsAt)],
);

/** A registration for a meeting: a place or on the waiting list (in order of registering). */
export const meetingRegistrations = sqliteTable(
  'meeting_registrations',
  {
    id: text('id').primaryKey(),
    meetingId: text('meeting_id').notNull().references(() => consultationMeetings.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    email: text('email').notNull(),
    /** What the person said they need to take part (optional; shown to the organisers). */
    accessNeeds: text('access_needs').notNull().default(''),
    state: text('state', { enum: ['booked', 'waiting', 'cancelled'] }).notNull(),
    remindedAt: ts('reminded_at'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('meeting_registrations_by').on(t.meetingId, t.state, t.createdAt), uniqueIndex('meeting_registrations_email').on(t.meetingId, t.email)],
);

/*
 * Alerts (issue 16, item 5): residents' e-mail subscriptions to a ward or district, for a weekly digest.
 */

/**
 * One address's subscription to one area: pending until the address confirms from the e-mailed link (deleted after
 * 7 days unconfirmed), confirmed after. Unsubscribing deletes it at once; so does a permanent delivery failure.
 */
export const alertSubscriptions = sqliteTable(
  'alert_subscriptions',
  {
    id: text('id').primaryKey(),
    /** The address, lower-cased. */
    email: text('email').notNull(),
    /** A ward or district id (areas.json). */
    areaId: text('area_id').notNull(),
    status: text('status', { enum: ['pending', 'confirmed'] }).notNull(),
    createdAt: ts('created_at').notNull(),
    /** When the latest confirmation e-mail was queued. */
    confirmSentAt: ts('confirm_sent_at').notNull(),
    confirmedAt: ts('confirmed_at'),
    /** The London week (its Monday, YYYY-MM-DD) of the latest digest run for this subscription: one a week. */
    digestWeek: text('digest_week'),
    /** What the next digest lists starts after this time (confirmation, then the latest digest run). */
    digestFrom: ts('digest_from'),
    /** The language the subscriber asked in (content/locales code): the confirmation and digests are framed in it. */
    language: text('language').notNull().default('en'),
  },
  (t) => [uniqueIndex('alert_subscriptions_email_area').on(t.email, t.areaId), index('alert_subscriptions_status').on(t.status, t.digestWeek), index('alert_subscriptions_area').on(t.areaId, t.status)],
);

/*
 * Open311 client for referrals (issue 16, item 4): the delivery outbox of referrals to agencies with an Open311
 * endpoint, and what has been pulled back from them (src/domains/referrals/open311-delivery.ts).
 */

/** One referral to deliver by Open311 `POST requests`: retried with backoff, leased while sending, failed on a permanent 4xx. */
export const referralDeliveries = sqliteTable(
  'referral_deliveries',
  {
    referralId: text('referral_id')
      .primaryKey()
      .references(() => referrals.id, { onDelete: 'cascade' }),
    agencyId: text('agency_id').notNull(),
    /** pending: to send (a lease marks one being sent); sent: accepted by the endpoint; failed: refused for good (a permanent 4xx). */
    status: text('status', { enum: ['pending', 'sent', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull(),
    leaseToken: text('lease_token'),
    leaseUntil: ts('lease_until'),
    lastError: text('last_error'),
    /** The endpoint's token for the request, until it gives the service_request_id. */
    token: text('token'),
    serviceRequestId: text('service_request_id'),
    createdAt: ts('created_at').notNull(),
    sentAt: ts('sent_at'),
  },
  (t) => [index('referral_deliveries_due').on(t.status, t.nextAttemptAt), index('referral_deliveries_request').on(t.agencyId, t.serviceRequestId)],
);

/** Where each agency's `GET servicerequestupdates` got to: the time of the last update seen. */
export const open311UpdateCursors = sqliteTable('open311_update_cursors', {
  agencyId: text('agency_id').primaryKey(),
  lastUpdateAt: ts('last_update_at').notNull(),
  checkedAt: ts('checked_at').notNull(),
});

/** Each update pulled from an agency, once: the referral it became a partner update on. */
export const open311RemoteUpdates = sqliteTable(
  'open311_remote_updates',
  {
    agencyId: text('agency_id').notNull(),
    updateId: text('update_id').notNull(),
    referralId: text('referral_id')
      .notNull()
      .references(() => referrals.id, { onDelete: 'cascade' }),
    status: text('status').notNull(),
    updatedAt: ts('updated_at').notNull(),
    receivedAt: ts('received_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.agencyId, t.updateId] })],
);

// ---- geography: the ONS postcode table (src/domains/geography) ----

/** Postcodes of the partnership's wards, from the ONS Postcode Directory (npm run geo:import; a sample on start when empty). */
export const postcodes = sqliteTable('postcodes', {
  /** Normalised, "HW1 2AB". */
  postcode: text('postcode').primaryKey(),
  wardId: text('ward_id').notNull(),
  /** The postcode's centroid, WGS84 degrees; null when the directory has none. */
  lat: real('lat'),
  lon: real('lon'),
});

// pre-aggregates: timers, durations and finished queue counts (h-agg)
/**
 * The dashboard's per-case measures (src/domains/insight/measures.ts), per London month of receipt and district of
 * counted reports: timer outcomes (measure = the timer, state met/late/open, bucket = the hour an open timer falls
 * due) and duration histograms (measure acknowledge_ms/resolve_ms, bucket = the duration bucket). Kept in the same
 * write as every case change.
 */
export const insightMeasures = sqliteTable(
  'insight_measures',
  {
    month: text('month').notNull(),
    districtId: text('district_id').notNull(),
    priority: text('priority').notNull(),
    measure: text('measure').notNull(),
    state: text('state').notNull(),
    bucket: integer('bucket').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.month, t.measure, t.districtId, t.priority, t.state, t.bucket] }),
    // Covering, with the state before the bucket: the summary rows (state open_total, coarse) and the timers not yet due
    // (state open, bucket from today) are each one seek per month and measure (src/domains/insight/dashboard.ts).
    index('insight_measures_state').on(t.month, t.measure, t.state, t.bucket, t.districtId, t.priority, t.n),
  ],
);

/** The columns every queue counter table shares: the status, the facets the queue filters by ('' for none) and the count. */
function queueFacetColumns() {
  return {
    status: text('status').notNull(),
    categoryId: text('category_id').notNull(),
    districtId: text('district_id').notNull(),
    wardId: text('ward_id').notNull(),
    priority: text('priority').notNull(),
    channel: text('channel').notNull(),
    agencyId: text('agency_id').notNull(),
    n: integer('n').notNull(),
  };
}

/**
 * Resolved and closed cases per queue facet (src/domains/cases/queue-counts.ts); '' stands for none. The owner is
 * kept in a second table led by the owner, so each read sums a few thousand rows at most.
 */
export const queueFinishedCounts = sqliteTable(
  'queue_finished_counts',
  {
    ...queueFacetColumns(),
  },
  (t) => [primaryKey({ columns: [t.status, t.categoryId, t.districtId, t.wardId, t.priority, t.channel, t.agencyId] })],
);

/** Resolved and closed cases per owner and queue facet, for the queue's owner filter ('' for unassigned). */
export const queueFinishedOwnerCounts = sqliteTable(
  'queue_finished_owner_counts',
  {
    ownerId: text('owner_id').notNull(),
    ...queueFacetColumns(),
  },
  (t) => [primaryKey({ columns: [t.ownerId, t.status, t.categoryId, t.districtId, t.wardId, t.priority, t.channel, t.agencyId] })],
);

// ---- cases: the queue's counters for the active statuses (src/domains/cases/queue-counts.ts) ----

/** Cases in an active status per queue facet ('' for none), kept like queue_finished_counts. */
export const queueActiveCounts = sqliteTable(
  'queue_active_counts',
  {
    ...queueFacetColumns(),
  },
  (t) => [primaryKey({ columns: [t.status, t.categoryId, t.districtId, t.wardId, t.priority, t.channel, t.agencyId] })],
);

/** Cases in an active status per owner and queue facet, for the queue's owner filter ('' for unassigned). */
export const queueActiveOwnerCounts = sqliteTable(
  'queue_active_owner_counts',
  {
    ownerId: text('owner_id').notNull(),
    ...queueFacetColumns(),
  },
  (t) => [primaryKey({ columns: [t.ownerId, t.status, t.categoryId, t.districtId, t.wardId, t.priority, t.channel, t.agencyId] })],
);

// insight: views under 50 ms at a million cases (narrow pre-aggregates)
/**
 * The dashboard's and statistics' narrow report counts (src/domains/insight/report-counts.ts): counted reports per
 * facet, London month of receipt and district, each facet keyed exactly by what a view groups by: 'category' (value
 * the category), 'channel' (value the channel), 'ward' (ward_id) and 'ward_category' (ward_id and value the category);
 * '' stands for none. Kept in the same write as insight_report_counts, and rebuilt from it.
 */
export const insightFacetCounts = sqliteTable(
  'insight_facet_counts',
  {
    facet: text('facet').notNull(),
    month: text('month').notNull(),
    districtId: text('district_id').notNull(),
    wardId: text('ward_id').notNull(),
    value: text('value').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.facet, t.month, t.districtId, t.wardId, t.value] }),
    // Covering: the statistics and hot-spots read a year of ward x category rows (about 1,800), each then one index read.
    index('insight_facet_counts_cover').on(t.facet, t.month, t.districtId, t.wardId, t.value, t.n),
  ],
);

/**
 * Open cases (the queue's active statuses) per district, ward and priority, for the tasking list
 * (src/domains/insight/open-counts.ts); '' stands for none. Kept in the same write as every case change.
 */
export const insightOpenCounts = sqliteTable(
  'insight_open_counts',
  {
    districtId: text('district_id').notNull(),
    wardId: text('ward_id').notNull(),
    priority: text('priority').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.priority, t.districtId, t.wardId] })],
);

/**
 * Referrals per London month sent, district of the case and agency (src/domains/insight/referral-counts.ts): state
 * 'sent' and 'on_time' (acknowledged by the time due; bucket 0), and the time to acknowledge as a histogram (state
 * 'ack', bucket the duration bucket of measures.ts) with its coarse one (state 'ack_coarse'). Kept in the same write as
 * the referral is sent and acknowledged (a referral's month, agency and case district never change afterwards).
 */
export const insightReferralCounts = sqliteTable(
  'insight_referral_counts',
  {
    month: text('month').notNull(),
    state: text('state').notNull(),
    agencyId: text('agency_id').notNull(),
    bucket: integer('bucket').notNull(),
    districtId: text('district_id').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.month, t.state, t.agencyId, t.bucket, t.districtId] })],
);
