DROP INDEX `cases_priority_received`;--> statement-breakpoint
CREATE INDEX `cases_priority_received` ON `cases` (`priority`,`received_at`,`id`,`status`);