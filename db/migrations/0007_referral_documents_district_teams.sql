CREATE TABLE `referral_documents` (
	`id` text PRIMARY KEY NOT NULL,
	`referral_id` text NOT NULL,
	`case_id` text NOT NULL,
	`agency_id` text NOT NULL,
	`event_id` text NOT NULL,
	`filename` text NOT NULL,
	`storage_key` text NOT NULL,
	`mime` text NOT NULL,
	`bytes` integer NOT NULL,
	`sha256` text NOT NULL,
	`uploaded_by` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`referral_id`) REFERENCES `referrals`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `referral_documents_referral` ON `referral_documents` (`referral_id`);--> statement-breakpoint
CREATE INDEX `referral_documents_case` ON `referral_documents` (`case_id`);--> statement-breakpoint
CREATE TABLE `user_districts` (
	`user_id` text NOT NULL,
	`district_id` text NOT NULL,
	PRIMARY KEY(`user_id`, `district_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `user_districts_district` ON `user_districts` (`district_id`);