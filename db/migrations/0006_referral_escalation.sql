CREATE TABLE `referral_digests` (
	`agency_id` text NOT NULL,
	`day` text NOT NULL,
	`outstanding` integer NOT NULL,
	`sent_at` integer NOT NULL,
	PRIMARY KEY(`agency_id`, `day`)
);
--> statement-breakpoint
ALTER TABLE `referrals` ADD `escalated_at` integer;