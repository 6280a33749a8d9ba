CREATE TABLE `consultation_profile_counts` (
	`consultation_id` text NOT NULL,
	`age_band` text DEFAULT '' NOT NULL,
	`ward_id` text DEFAULT '' NOT NULL,
	`channel` text NOT NULL,
	`n` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`consultation_id`, `age_band`, `ward_id`, `channel`),
	FOREIGN KEY (`consultation_id`) REFERENCES `consultations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
-- The "about you" answers become counts: a row per respondent, however its id was made, kept its insertion order.
INSERT INTO `consultation_profile_counts` (`consultation_id`, `age_band`, `ward_id`, `channel`, `n`)
	SELECT `consultation_id`, coalesce(`age_band`, ''), coalesce(`ward_id`, ''), `channel`, count(*) FROM `consultation_profiles` GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
DROP TABLE `consultation_profiles`;--> statement-breakpoint
ALTER TABLE `consultation_responses` ADD `pending_profile` text;