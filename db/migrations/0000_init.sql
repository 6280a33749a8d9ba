CREATE TABLE `agencies` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`email` text,
	`public_name_visible` integer DEFAULT true NOT NULL,
	`active` integer DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE `areas` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`parent_id` text,
	`population` integer DEFAULT 0 NOT NULL,
	`position` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `attachments` (
	`id` text PRIMARY KEY NOT NULL,
	`case_id` text NOT NULL,
	`storage_key` text NOT NULL,
	`mime` text NOT NULL,
	`bytes` integer NOT NULL,
	`width` integer,
	`height` integer,
	`sha256` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `attachments_case` ON `attachments` (`case_id`);--> statement-breakpoint
CREATE TABLE `audit_events` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`actor_kind` text NOT NULL,
	`actor_id` text,
	`action` text NOT NULL,
	`subject_kind` text,
	`subject_id` text,
	`ip` text,
	`data` text
);
--> statement-breakpoint
CREATE INDEX `audit_events_at` ON `audit_events` (`at`);--> statement-breakpoint
CREATE INDEX `audit_events_subject` ON `audit_events` (`subject_kind`,`subject_id`);--> statement-breakpoint
CREATE TABLE `calls` (
	`id` text PRIMARY KEY NOT NULL,
	`handler_id` text NOT NULL,
	`started_at` integer NOT NULL,
	`duration_s` integer NOT NULL,
	`reason` text NOT NULL,
	`outcome` text NOT NULL,
	`case_id` text,
	`caller_name` text,
	`caller_phone_e164` text,
	`caller_email` text,
	`advice_slugs` text DEFAULT '[]' NOT NULL,
	`notes` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `calls_started` ON `calls` (`started_at`);--> statement-breakpoint
CREATE INDEX `calls_handler` ON `calls` (`handler_id`,`started_at`);--> statement-breakpoint
CREATE INDEX `calls_phone` ON `calls` (`caller_phone_e164`);--> statement-breakpoint
CREATE INDEX `calls_email` ON `calls` (`caller_email`);--> statement-breakpoint
CREATE TABLE `case_events` (
	`id` text PRIMARY KEY NOT NULL,
	`case_id` text NOT NULL,
	`at` integer NOT NULL,
	`actor_kind` text NOT NULL,
	`actor_id` text,
	`action` text NOT NULL,
	`visibility` text DEFAULT 'internal' NOT NULL,
	`body` text,
	`data` text,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `case_events_case` ON `case_events` (`case_id`,`at`);--> statement-breakpoint
CREATE TABLE `cases` (
	`id` text PRIMARY KEY NOT NULL,
	`ref` text NOT NULL,
	`kind` text DEFAULT 'report' NOT NULL,
	`status` text DEFAULT 'new' NOT NULL,
	`status_changed_at` integer NOT NULL,
	`channel` text NOT NULL,
	`category_id` text,
	`feedback_type` text,
	`priority` text,
	`risk_answers` text,
	`privacy` text NOT NULL,
	`consent_share` integer,
	`reporter_id` text,
	`description` text NOT NULL,
	`when_kind` text,
	`happened_at` integer,
	`when_text` text,
	`location_text` text,
	`postcode` text,
	`ward_id` text,
	`district_id` text,
	`lat` integer,
	`lon` integer,
	`people_involved` text,
	`who_affected` text,
	`happened_before` text,
	`owner_id` text,
	`team` text,
	`referred_agency_id` text,
	`resolution_code` text,
	`incident_id` text,
	`duplicate_of` text,
	`flags` text DEFAULT '[]' NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`next_due_at` integer,
	`timers` text,
	`reopen_until` integer,
	`track_code` text,
	`track_secret_hash` blob,
	`link_token_hash` blob,
	`idempotency_key` text,
	`created_by` text,
	`received_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`resolved_at` integer,
	`closed_at` integer,
	FOREIGN KEY (`reporter_id`) REFERENCES `reporters`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cases_ref` ON `cases` (`ref`);--> statement-breakpoint
CREATE UNIQUE INDEX `cases_idempotency` ON `cases` (`idempotency_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `cases_track_code` ON `cases` (`track_code`);--> statement-breakpoint
CREATE INDEX `cases_received` ON `cases` (`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_status_received` ON `cases` (`status`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_category_received` ON `cases` (`category_id`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_district_received` ON `cases` (`district_id`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_ward_received` ON `cases` (`ward_id`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_priority_received` ON `cases` (`priority`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_channel_received` ON `cases` (`channel`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_owner_received` ON `cases` (`owner_id`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_due` ON `cases` (`next_due_at`);--> statement-breakpoint
CREATE INDEX `cases_reporter` ON `cases` (`reporter_id`);--> statement-breakpoint
CREATE INDEX `cases_incident` ON `cases` (`incident_id`);--> statement-breakpoint
CREATE TABLE `categories` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`hint` text DEFAULT '' NOT NULL,
	`sensitive` integer DEFAULT false NOT NULL,
	`emergency` integer DEFAULT false NOT NULL,
	`default_agency_id` text,
	`agency_ids` text DEFAULT '[]' NOT NULL,
	`default_priority` text DEFAULT 'P3' NOT NULL,
	`position` integer DEFAULT 0 NOT NULL,
	`active` integer DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE `drafts` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`data` text NOT NULL,
	`case_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `equality_responses` (
	`id` text PRIMARY KEY NOT NULL,
	`month` text NOT NULL,
	`data` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `incidents` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`template` text NOT NULL,
	`recipient` text NOT NULL,
	`payload` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`lease_until` integer,
	`last_error` text,
	`created_at` integer NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
CREATE INDEX `outbox_due` ON `outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `rate_limits` (
	`key` text NOT NULL,
	`window_start` integer NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`key`, `window_start`)
);
--> statement-breakpoint
CREATE TABLE `reporters` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text,
	`email` text,
	`phone_e164` text,
	`preferred_contact` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `reporters_email` ON `reporters` (`email`);--> statement-breakpoint
CREATE INDEX `reporters_phone` ON `reporters` (`phone_e164`);--> statement-breakpoint
CREATE TABLE `saved_views` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`query` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `saved_views_user` ON `saved_views` (`user_id`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`secret_hash` blob NOT NULL,
	`created_at` integer NOT NULL,
	`last_verified_at` integer NOT NULL,
	`two_factor_verified` integer DEFAULT false NOT NULL,
	`ip` text,
	`user_agent` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `user_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`secret_hash` blob NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `user_tokens_user` ON `user_tokens` (`user_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`agency_id` text,
	`password_hash` text,
	`active` integer DEFAULT true NOT NULL,
	`totp_key` blob,
	`totp_enabled_at` integer,
	`recovery_codes` text,
	`last_sign_in_at` integer,
	`password_changed_at` integer,
	`in_rotation` integer DEFAULT true NOT NULL,
	`last_assigned_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email` ON `users` (`email`);