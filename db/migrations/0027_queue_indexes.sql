DROP INDEX `cases_incident`;--> statement-breakpoint
CREATE INDEX `cases_active_received` ON `cases` (`received_at`,`id`,`next_due_at`,`flags`,`tags`) WHERE status IN ('new', 'open', 'awaiting_reporter', 'referred', 'with_partner');--> statement-breakpoint
CREATE INDEX `cases_active_priority` ON `cases` (`priority`,`received_at`,`id`) WHERE status IN ('new', 'open', 'awaiting_reporter', 'referred', 'with_partner');--> statement-breakpoint
CREATE INDEX `cases_incident` ON `cases` (`incident_id`) WHERE incident_id IS NOT NULL;