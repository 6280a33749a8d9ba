CREATE TABLE `insight_counts` (
	`month` text NOT NULL,
	`kind` text NOT NULL,
	`channel` text NOT NULL,
	`category_id` text NOT NULL,
	`district_id` text NOT NULL,
	`ward_id` text NOT NULL,
	`status` text NOT NULL,
	`resolution` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`month`, `kind`, `channel`, `category_id`, `district_id`, `ward_id`, `status`, `resolution`)
);
