CREATE TABLE `insight_measures` (
	`month` text NOT NULL,
	`district_id` text NOT NULL,
	`priority` text NOT NULL,
	`measure` text NOT NULL,
	`state` text NOT NULL,
	`bucket` integer NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`month`, `measure`, `district_id`, `priority`, `state`, `bucket`)
);
--> statement-breakpoint
CREATE TABLE `queue_finished_counts` (
	`status` text NOT NULL,
	`category_id` text NOT NULL,
	`district_id` text NOT NULL,
	`ward_id` text NOT NULL,
	`priority` text NOT NULL,
	`channel` text NOT NULL,
	`agency_id` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`status`, `category_id`, `district_id`, `ward_id`, `priority`, `channel`, `agency_id`)
);
--> statement-breakpoint
CREATE TABLE `queue_finished_owner_counts` (
	`owner_id` text NOT NULL,
	`status` text NOT NULL,
	`category_id` text NOT NULL,
	`district_id` text NOT NULL,
	`ward_id` text NOT NULL,
	`priority` text NOT NULL,
	`channel` text NOT NULL,
	`agency_id` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`owner_id`, `status`, `category_id`, `district_id`, `ward_id`, `priority`, `channel`, `agency_id`)
);
--> statement-breakpoint
CREATE INDEX `calls_started_outcome` ON `calls` (`started_at`,`outcome`);--> statement-breakpoint
CREATE INDEX `cases_repeat_reporter` ON `cases` (`received_at`,`district_id`,`reporter_id`,`kind`,`resolution_code`) WHERE flags LIKE '%"repeat_reporter"%';--> statement-breakpoint
CREATE INDEX `cases_case_review` ON `cases` (`received_at`,`district_id`,`kind`,`resolution_code`) WHERE flags LIKE '%"asb_case_review"%';--> statement-breakpoint
CREATE INDEX `cases_open_asb_case_review` ON `cases` (`status`,`ward_id`,`district_id`,`referred_agency_id`) WHERE flags LIKE '%"asb_case_review"%';--> statement-breakpoint
CREATE INDEX `cases_open_repeat_location` ON `cases` (`status`,`ward_id`,`district_id`,`referred_agency_id`) WHERE flags LIKE '%"repeat_location"%';--> statement-breakpoint
CREATE INDEX `cases_open_repeat_reporter` ON `cases` (`status`,`ward_id`,`district_id`,`referred_agency_id`) WHERE flags LIKE '%"repeat_reporter"%';--> statement-breakpoint
CREATE INDEX `consultation_responses_submitted` ON `consultation_responses` (`submitted_at`,`state`,`consultation_id`);--> statement-breakpoint
CREATE INDEX `referrals_sent` ON `referrals` (`sent_at`,`agency_id`,`acknowledged_at`,`acknowledge_due_at`,`case_id`);