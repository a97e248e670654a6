ALTER TABLE `signal_watches` ADD `key_id` text;--> statement-breakpoint
ALTER TABLE `signal_watches` ADD `settled_at` integer;--> statement-breakpoint
CREATE INDEX `signal_watches_agent_pending` ON `signal_watches` (`agent_id`,`expires_at`);--> statement-breakpoint
CREATE INDEX `signal_watches_key_pending` ON `signal_watches` (`key_id`,`expires_at`);