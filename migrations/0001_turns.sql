CREATE TABLE `senders` (
	`channel_id` text NOT NULL,
	`address` text NOT NULL,
	`opted_out_at` integer,
	`last_keyword` text,
	`updated_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	PRIMARY KEY(`channel_id`, `address`),
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `turns` (
	`id` text PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`agent_id` text NOT NULL,
	`sender` text NOT NULL,
	`inbound_message_id` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`error` text,
	`reply_message_id` text,
	`steps` integer,
	`tool_calls` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`completed_at` integer,
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `turns_channel_created` ON `turns` (`channel_id`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `messages_outbound_turn` ON `messages` (`turn_id`) WHERE direction = 'outbound';