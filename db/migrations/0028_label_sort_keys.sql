DROP INDEX `cases_tagged_facets`;--> statement-breakpoint
DROP INDEX `cases_flag_repeat_reporter_facets`;--> statement-breakpoint
DROP INDEX `cases_flag_repeat_location_facets`;--> statement-breakpoint
DROP INDEX `cases_flag_asb_case_review_facets`;--> statement-breakpoint
CREATE INDEX `cases_tagged_facets` ON `cases` (`status`,`category_id`,`district_id`,`ward_id`,`priority`,`channel`,`owner_id`,`referred_agency_id`,`flags`,`tags`,`received_at`,`id`,`next_due_at`) WHERE tags <> '[]';--> statement-breakpoint
CREATE INDEX `cases_flag_repeat_reporter_facets` ON `cases` (`status`,`category_id`,`district_id`,`ward_id`,`priority`,`channel`,`owner_id`,`referred_agency_id`,`flags`,`tags`,`received_at`,`id`,`next_due_at`) WHERE flags LIKE '%"repeat_reporter"%';--> statement-breakpoint
CREATE INDEX `cases_flag_repeat_location_facets` ON `cases` (`status`,`category_id`,`district_id`,`ward_id`,`priority`,`channel`,`owner_id`,`referred_agency_id`,`flags`,`tags`,`received_at`,`id`,`next_due_at`) WHERE flags LIKE '%"repeat_location"%';--> statement-breakpoint
CREATE INDEX `cases_flag_asb_case_review_facets` ON `cases` (`status`,`category_id`,`district_id`,`ward_id`,`priority`,`channel`,`owner_id`,`referred_agency_id`,`flags`,`tags`,`received_at`,`id`,`next_due_at`) WHERE flags LIKE '%"asb_case_review"%';