CREATE TABLE `referrals` (
	`id` text PRIMARY KEY NOT NULL,
	`case_id` text NOT NULL,
	`agency_id` text NOT NULL,
	`status` text NOT NULL,
	`snapshot` text NOT NULL,
	`sent_by` text NOT NULL,
	`sent_at` integer NOT NULL,
	`acknowledge_due_at` integer NOT NULL,
	`complete_due_at` integer NOT NULL,
	`acknowledged_at` integer,
	`accepted_at` integer,
	`closed_at` integer,
	`reason` text,
	`outcome` text,
	`version` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `referrals_case` ON `referrals` (`case_id`);--> statement-breakpoint
CREATE INDEX `referrals_agency_status` ON `referrals` (`agency_id`,`status`,`sent_at`);