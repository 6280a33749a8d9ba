CREATE TABLE `content_events` (
	`id` text PRIMARY KEY NOT NULL,
	`item_id` text NOT NULL,
	`action` text NOT NULL,
	`version` integer NOT NULL,
	`actor_name` text NOT NULL,
	`at` integer NOT NULL,
	`publish_at` integer,
	FOREIGN KEY (`item_id`) REFERENCES `content_items`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `content_events_item` ON `content_events` (`item_id`,`at`);--> statement-breakpoint
CREATE TABLE `content_items` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`slug` text NOT NULL,
	`district_id` text,
	`status` text NOT NULL,
	`current_version` integer NOT NULL,
	`published_version` integer,
	`publish_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `content_items_kind_slug` ON `content_items` (`kind`,`slug`);--> statement-breakpoint
CREATE INDEX `content_items_public` ON `content_items` (`kind`,`status`,`publish_at`);--> statement-breakpoint
CREATE TABLE `content_versions` (
	`item_id` text NOT NULL,
	`version` integer NOT NULL,
	`data` text NOT NULL,
	`author_id` text NOT NULL,
	`author_name` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`item_id`, `version`),
	FOREIGN KEY (`item_id`) REFERENCES `content_items`(`id`) ON UPDATE no action ON DELETE cascade
);
