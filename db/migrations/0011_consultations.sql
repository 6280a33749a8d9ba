CREATE TABLE `consultation_drafts` (
	`id` text PRIMARY KEY NOT NULL,
	`consultation_id` text NOT NULL,
	`answers` text NOT NULL,
	`secret_hash` text NOT NULL,
	`section` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`consultation_id`) REFERENCES `consultations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `consultation_meetings` (
	`id` text PRIMARY KEY NOT NULL,
	`consultation_id` text NOT NULL,
	`title` text NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`place` text NOT NULL,
	`area_id` text,
	`step_free` integer DEFAULT false NOT NULL,
	`hearing_loop` integer DEFAULT false NOT NULL,
	`access_notes` text DEFAULT '' NOT NULL,
	`capacity` integer NOT NULL,
	`notes` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`consultation_id`) REFERENCES `consultations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `consultation_meetings_starts` ON `consultation_meetings` (`starts_at`);--> statement-breakpoint
CREATE TABLE `consultation_profiles` (
	`id` text PRIMARY KEY NOT NULL,
	`consultation_id` text NOT NULL,
	`age_band` text,
	`ward_id` text,
	`channel` text NOT NULL,
	FOREIGN KEY (`consultation_id`) REFERENCES `consultations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `consultation_profiles_by` ON `consultation_profiles` (`consultation_id`);--> statement-breakpoint
CREATE TABLE `consultation_responses` (
	`id` text PRIMARY KEY NOT NULL,
	`consultation_id` text NOT NULL,
	`channel` text NOT NULL,
	`answers` text NOT NULL,
	`state` text DEFAULT 'counted' NOT NULL,
	`email_hash` text,
	`email` text,
	`confirm_secret_hash` text,
	`entered_by` text,
	`submitted_at` integer NOT NULL,
	FOREIGN KEY (`consultation_id`) REFERENCES `consultations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `consultation_responses_by` ON `consultation_responses` (`consultation_id`,`state`);--> statement-breakpoint
CREATE UNIQUE INDEX `consultation_responses_email` ON `consultation_responses` (`consultation_id`,`email_hash`);--> statement-breakpoint
CREATE TABLE `consultation_tags` (
	`response_id` text NOT NULL,
	`question_key` text NOT NULL,
	`theme_id` text NOT NULL,
	PRIMARY KEY(`response_id`, `question_key`, `theme_id`),
	FOREIGN KEY (`response_id`) REFERENCES `consultation_responses`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`theme_id`) REFERENCES `consultation_themes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `consultation_themes` (
	`id` text PRIMARY KEY NOT NULL,
	`consultation_id` text NOT NULL,
	`name` text NOT NULL,
	FOREIGN KEY (`consultation_id`) REFERENCES `consultations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `consultation_themes_name` ON `consultation_themes` (`consultation_id`,`name`);--> statement-breakpoint
CREATE TABLE `consultations` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`summary` text DEFAULT '' NOT NULL,
	`area_id` text,
	`topic` text NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`opens_at` integer,
	`closes_at` integer,
	`questions` text DEFAULT '[]' NOT NULL,
	`one_per_email` integer DEFAULT false NOT NULL,
	`about_you` integer DEFAULT true NOT NULL,
	`results_published_at` integer,
	`you_said` text DEFAULT '' NOT NULL,
	`we_did` text DEFAULT '' NOT NULL,
	`we_did_links` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `consultations_slug` ON `consultations` (`slug`);--> statement-breakpoint
CREATE INDEX `consultations_closes` ON `consultations` (`status`,`closes_at`);--> statement-breakpoint
CREATE TABLE `meeting_registrations` (
	`id` text PRIMARY KEY NOT NULL,
	`meeting_id` text NOT NULL,
	`name` text NOT NULL,
	`email` text NOT NULL,
	`state` text NOT NULL,
	`reminded_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`meeting_id`) REFERENCES `consultation_meetings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `meeting_registrations_by` ON `meeting_registrations` (`meeting_id`,`state`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `meeting_registrations_email` ON `meeting_registrations` (`meeting_id`,`email`);