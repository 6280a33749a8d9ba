CREATE TABLE `postcodes` (
	`postcode` text PRIMARY KEY NOT NULL,
	`ward_id` text NOT NULL,
	`lat` real,
	`lon` real
);
--> statement-breakpoint
CREATE INDEX `cases_location` ON `cases` (`lat`,`lon`,`received_at`);