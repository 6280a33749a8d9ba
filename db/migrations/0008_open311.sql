CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`secret_hash` blob NOT NULL,
	`services` text,
	`can_read` integer DEFAULT false NOT NULL,
	`can_write` integer DEFAULT false NOT NULL,
	`per_minute` integer DEFAULT 60 NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	`revoked_by` text,
	`last_used_at` integer
);
--> statement-breakpoint
CREATE TABLE `open311_requests` (
	`token` text PRIMARY KEY NOT NULL,
	`case_id` text NOT NULL,
	`key_id` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `open311_requests_case` ON `open311_requests` (`case_id`);--> statement-breakpoint
CREATE INDEX `open311_requests_key` ON `open311_requests` (`key_id`,`created_at`);