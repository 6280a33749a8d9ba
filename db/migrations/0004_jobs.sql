CREATE TABLE `jobs` (
	`name` text PRIMARY KEY NOT NULL,
	`lease_token` text,
	`lease_until` integer,
	`last_run_at` integer,
	`last_error` text
);
--> statement-breakpoint
ALTER TABLE `outbox` ADD `lease_token` text;