CREATE TABLE `open311_remote_updates` (
	`agency_id` text NOT NULL,
	`update_id` text NOT NULL,
	`referral_id` text NOT NULL,
	`status` text NOT NULL,
	`updated_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	PRIMARY KEY(`agency_id`, `update_id`),
	FOREIGN KEY (`referral_id`) REFERENCES `referrals`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `open311_update_cursors` (
	`agency_id` text PRIMARY KEY NOT NULL,
	`last_update_at` integer NOT NULL,
	`checked_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `referral_deliveries` (
	`referral_id` text PRIMARY KEY NOT NULL,
	`agency_id` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`lease_token` text,
	`lease_until` integer,
	`last_error` text,
	`token` text,
	`service_request_id` text,
	`created_at` integer NOT NULL,
	`sent_at` integer,
	FOREIGN KEY (`referral_id`) REFERENCES `referrals`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `referral_deliveries_due` ON `referral_deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `referral_deliveries_request` ON `referral_deliveries` (`agency_id`,`service_request_id`);