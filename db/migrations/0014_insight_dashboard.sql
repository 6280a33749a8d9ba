CREATE TABLE `insight_report_counts` (
	`month` text NOT NULL,
	`district_id` text NOT NULL,
	`ward_id` text NOT NULL,
	`category_id` text NOT NULL,
	`channel` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`month`, `district_id`, `ward_id`, `category_id`, `channel`)
);
