DROP INDEX "alert_subscriptions_email_area";--> statement-breakpoint
DROP INDEX "alert_subscriptions_status";--> statement-breakpoint
DROP INDEX "alert_subscriptions_area";--> statement-breakpoint
DROP INDEX "attachments_case";--> statement-breakpoint
DROP INDEX "audit_events_at";--> statement-breakpoint
DROP INDEX "audit_events_subject";--> statement-breakpoint
DROP INDEX "calls_started";--> statement-breakpoint
DROP INDEX "calls_handler";--> statement-breakpoint
DROP INDEX "calls_phone";--> statement-breakpoint
DROP INDEX "calls_email";--> statement-breakpoint
DROP INDEX "case_events_case";--> statement-breakpoint
DROP INDEX "cases_ref";--> statement-breakpoint
DROP INDEX "cases_idempotency";--> statement-breakpoint
DROP INDEX "cases_track_code";--> statement-breakpoint
DROP INDEX "cases_received";--> statement-breakpoint
DROP INDEX "cases_status_received";--> statement-breakpoint
DROP INDEX "cases_category_received";--> statement-breakpoint
DROP INDEX "cases_district_received";--> statement-breakpoint
DROP INDEX "cases_ward_received";--> statement-breakpoint
DROP INDEX "cases_priority_received";--> statement-breakpoint
DROP INDEX "cases_channel_received";--> statement-breakpoint
DROP INDEX "cases_owner_received";--> statement-breakpoint
DROP INDEX "cases_agency_received";--> statement-breakpoint
DROP INDEX "cases_due";--> statement-breakpoint
DROP INDEX "cases_reporter";--> statement-breakpoint
DROP INDEX "cases_incident";--> statement-breakpoint
DROP INDEX "cases_status_facets";--> statement-breakpoint
DROP INDEX "cases_place";--> statement-breakpoint
DROP INDEX "consultation_meetings_starts";--> statement-breakpoint
DROP INDEX "consultation_profiles_by";--> statement-breakpoint
DROP INDEX "consultation_responses_by";--> statement-breakpoint
DROP INDEX "consultation_responses_email";--> statement-breakpoint
DROP INDEX "consultation_themes_name";--> statement-breakpoint
DROP INDEX "consultations_slug";--> statement-breakpoint
DROP INDEX "consultations_closes";--> statement-breakpoint
DROP INDEX "content_events_item";--> statement-breakpoint
DROP INDEX "content_items_kind_slug";--> statement-breakpoint
DROP INDEX "content_items_public";--> statement-breakpoint
DROP INDEX "meeting_registrations_by";--> statement-breakpoint
DROP INDEX "meeting_registrations_email";--> statement-breakpoint
DROP INDEX "open311_requests_case";--> statement-breakpoint
DROP INDEX "open311_requests_key";--> statement-breakpoint
DROP INDEX "outbox_due";--> statement-breakpoint
DROP INDEX "referral_deliveries_due";--> statement-breakpoint
DROP INDEX "referral_deliveries_request";--> statement-breakpoint
DROP INDEX "referral_documents_referral";--> statement-breakpoint
DROP INDEX "referral_documents_case";--> statement-breakpoint
DROP INDEX "referrals_case";--> statement-breakpoint
DROP INDEX "referrals_agency_status";--> statement-breakpoint
DROP INDEX "reporters_email";--> statement-breakpoint
DROP INDEX "reporters_phone";--> statement-breakpoint
DROP INDEX "saved_views_user";--> statement-breakpoint
DROP INDEX "sessions_user";--> statement-breakpoint
DROP INDEX "user_districts_district";--> statement-breakpoint
DROP INDEX "user_tokens_user";--> statement-breakpoint
DROP INDEX "users_email";--> statement-breakpoint
ALTER TABLE `cases` ALTER COLUMN "lat" TO "lat" real;--> statement-breakpoint
CREATE UNIQUE INDEX `alert_subscriptions_email_area` ON `alert_subscriptions` (`email`,`area_id`);--> statement-breakpoint
CREATE INDEX `alert_subscriptions_status` ON `alert_subscriptions` (`status`,`digest_week`);--> statement-breakpoint
CREATE INDEX `alert_subscriptions_area` ON `alert_subscriptions` (`area_id`,`status`);--> statement-breakpoint
CREATE INDEX `attachments_case` ON `attachments` (`case_id`);--> statement-breakpoint
CREATE INDEX `audit_events_at` ON `audit_events` (`at`);--> statement-breakpoint
CREATE INDEX `audit_events_subject` ON `audit_events` (`subject_kind`,`subject_id`);--> statement-breakpoint
CREATE INDEX `calls_started` ON `calls` (`started_at`);--> statement-breakpoint
CREATE INDEX `calls_handler` ON `calls` (`handler_id`,`started_at`);--> statement-breakpoint
CREATE INDEX `calls_phone` ON `calls` (`caller_phone_e164`);--> statement-breakpoint
CREATE INDEX `calls_email` ON `calls` (`caller_email`);--> statement-breakpoint
CREATE INDEX `case_events_case` ON `case_events` (`case_id`,`at`);--> statement-breakpoint
CREATE UNIQUE INDEX `cases_ref` ON `cases` (`ref`);--> statement-breakpoint
CREATE UNIQUE INDEX `cases_idempotency` ON `cases` (`idempotency_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `cases_track_code` ON `cases` (`track_code`);--> statement-breakpoint
CREATE INDEX `cases_received` ON `cases` (`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_status_received` ON `cases` (`status`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_category_received` ON `cases` (`category_id`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_district_received` ON `cases` (`district_id`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_ward_received` ON `cases` (`ward_id`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_priority_received` ON `cases` (`priority`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_channel_received` ON `cases` (`channel`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_owner_received` ON `cases` (`owner_id`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_agency_received` ON `cases` (`referred_agency_id`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_due` ON `cases` (`next_due_at`);--> statement-breakpoint
CREATE INDEX `cases_reporter` ON `cases` (`reporter_id`);--> statement-breakpoint
CREATE INDEX `cases_incident` ON `cases` (`incident_id`);--> statement-breakpoint
CREATE INDEX `cases_status_facets` ON `cases` (`status`,`category_id`,`district_id`,`ward_id`,`priority`,`channel`,`owner_id`,`next_due_at`);--> statement-breakpoint
CREATE INDEX `cases_place` ON `cases` (`category_id`,`postcode`,`received_at`);--> statement-breakpoint
CREATE INDEX `consultation_meetings_starts` ON `consultation_meetings` (`starts_at`);--> statement-breakpoint
CREATE INDEX `consultation_profiles_by` ON `consultation_profiles` (`consultation_id`);--> statement-breakpoint
CREATE INDEX `consultation_responses_by` ON `consultation_responses` (`consultation_id`,`state`);--> statement-breakpoint
CREATE UNIQUE INDEX `consultation_responses_email` ON `consultation_responses` (`consultation_id`,`email_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `consultation_themes_name` ON `consultation_themes` (`consultation_id`,`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `consultations_slug` ON `consultations` (`slug`);--> statement-breakpoint
CREATE INDEX `consultations_closes` ON `consultations` (`status`,`closes_at`);--> statement-breakpoint
CREATE INDEX `content_events_item` ON `content_events` (`item_id`,`at`);--> statement-breakpoint
CREATE UNIQUE INDEX `content_items_kind_slug` ON `content_items` (`kind`,`slug`);--> statement-breakpoint
CREATE INDEX `content_items_public` ON `content_items` (`kind`,`status`,`publish_at`);--> statement-breakpoint
CREATE INDEX `meeting_registrations_by` ON `meeting_registrations` (`meeting_id`,`state`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `meeting_registrations_email` ON `meeting_registrations` (`meeting_id`,`email`);--> statement-breakpoint
CREATE UNIQUE INDEX `open311_requests_case` ON `open311_requests` (`case_id`);--> statement-breakpoint
CREATE INDEX `open311_requests_key` ON `open311_requests` (`key_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `outbox_due` ON `outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `referral_deliveries_due` ON `referral_deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `referral_deliveries_request` ON `referral_deliveries` (`agency_id`,`service_request_id`);--> statement-breakpoint
CREATE INDEX `referral_documents_referral` ON `referral_documents` (`referral_id`);--> statement-breakpoint
CREATE INDEX `referral_documents_case` ON `referral_documents` (`case_id`);--> statement-breakpoint
CREATE INDEX `referrals_case` ON `referrals` (`case_id`);--> statement-breakpoint
CREATE INDEX `referrals_agency_status` ON `referrals` (`agency_id`,`status`,`sent_at`);--> statement-breakpoint
CREATE INDEX `reporters_email` ON `reporters` (`email`);--> statement-breakpoint
CREATE INDEX `reporters_phone` ON `reporters` (`phone_e164`);--> statement-breakpoint
CREATE INDEX `saved_views_user` ON `saved_views` (`user_id`);--> statement-breakpoint
CREATE INDEX `sessions_user` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE INDEX `user_districts_district` ON `user_districts` (`district_id`);--> statement-breakpoint
CREATE INDEX `user_tokens_user` ON `user_tokens` (`user_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `users_email` ON `users` (`email`);--> statement-breakpoint
ALTER TABLE `cases` ALTER COLUMN "lon" TO "lon" real;--> statement-breakpoint
ALTER TABLE `cases` ADD `location_source` text;