CREATE TABLE `queue_active_counts` (
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
CREATE TABLE `queue_active_owner_counts` (
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
CREATE INDEX `cases_due_facets` ON `cases` (`status`,`next_due_at`,`category_id`,`district_id`,`ward_id`,`priority`,`channel`,`owner_id`,`referred_agency_id`,`flags`,`tags`) WHERE next_due_at IS NOT NULL;--> statement-breakpoint
CREATE INDEX `cases_tagged_facets` ON `cases` (`status`,`category_id`,`district_id`,`ward_id`,`priority`,`channel`,`owner_id`,`referred_agency_id`,`flags`,`tags`) WHERE tags <> '[]';--> statement-breakpoint
CREATE INDEX `cases_flag_repeat_reporter_facets` ON `cases` (`status`,`category_id`,`district_id`,`ward_id`,`priority`,`channel`,`owner_id`,`referred_agency_id`,`flags`,`tags`) WHERE flags LIKE '%"repeat_reporter"%';--> statement-breakpoint
CREATE INDEX `cases_flag_repeat_location_facets` ON `cases` (`status`,`category_id`,`district_id`,`ward_id`,`priority`,`channel`,`owner_id`,`referred_agency_id`,`flags`,`tags`) WHERE flags LIKE '%"repeat_location"%';--> statement-breakpoint
CREATE INDEX `cases_flag_asb_case_review_facets` ON `cases` (`status`,`category_id`,`district_id`,`ward_id`,`priority`,`channel`,`owner_id`,`referred_agency_id`,`flags`,`tags`) WHERE flags LIKE '%"asb_case_review"%';--> statement-breakpoint
CREATE INDEX `referrals_open_due` ON `referrals` (`status`,`complete_due_at`,`acknowledge_due_at`,`case_id`);