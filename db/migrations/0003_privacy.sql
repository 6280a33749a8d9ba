ALTER TABLE `cases` ADD `legal_hold` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `cases` ADD `legal_hold_reason` text;--> statement-breakpoint
ALTER TABLE `cases` ADD `legal_hold_by` text;--> statement-breakpoint
ALTER TABLE `cases` ADD `legal_hold_at` integer;--> statement-breakpoint
ALTER TABLE `cases` ADD `anonymised_at` integer;