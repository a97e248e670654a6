CREATE TABLE `media` (
	`id` text PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`message_id` text,
	`direction` text NOT NULL,
	`idx` integer NOT NULL,
	`content_type` text NOT NULL,
	`size` integer,
	`status` text NOT NULL,
	`reason` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `media_message` ON `media` (`message_id`);--> statement-breakpoint
CREATE INDEX `media_channel_created` ON `media` (`channel_id`,`created_at`);