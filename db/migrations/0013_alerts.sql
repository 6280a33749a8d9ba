CREATE TABLE `alert_subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`area_id` text NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`confirm_sent_at` integer NOT NULL,
	`confirmed_at` integer,
	`digest_week` text,
	`digest_from` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alert_subscriptions_email_area` ON `alert_subscriptions` (`email`,`area_id`);--> statement-breakpoint
CREATE INDEX `alert_subscriptions_status` ON `alert_subscriptions` (`status`,`digest_week`);--> statement-breakpoint
CREATE INDEX `alert_subscriptions_area` ON `alert_subscriptions` (`area_id`,`status`);