CREATE TABLE `insight_facet_counts` (
	`facet` text NOT NULL,
	`month` text NOT NULL,
	`district_id` text NOT NULL,
	`ward_id` text NOT NULL,
	`value` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`facet`, `month`, `district_id`, `ward_id`, `value`)
);
--> statement-breakpoint
CREATE INDEX `insight_facet_counts_cover` ON `insight_facet_counts` (`facet`,`month`,`district_id`,`ward_id`,`value`,`n`);--> statement-breakpoint
CREATE TABLE `insight_open_counts` (
	`district_id` text NOT NULL,
	`ward_id` text NOT NULL,
	`priority` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`priority`, `district_id`, `ward_id`)
);
--> statement-breakpoint
CREATE TABLE `insight_referral_counts` (
	`month` text NOT NULL,
	`state` text NOT NULL,
	`agency_id` text NOT NULL,
	`bucket` integer NOT NULL,
	`district_id` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`month`, `state`, `agency_id`, `bucket`, `district_id`)
);
--> statement-breakpoint
CREATE INDEX `insight_measures_state` ON `insight_measures` (`month`,`measure`,`state`,`bucket`,`district_id`,`priority`,`n`);