CREATE TABLE `agents` (
	`id` text PRIMARY KEY NOT NULL,
	`space_id` text NOT NULL,
	`name` text NOT NULL,
	`handle` text NOT NULL,
	`instructions` text DEFAULT '' NOT NULL,
	`model` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`space_id`) REFERENCES `spaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `agents_handle_unique` ON `agents` (`handle`);--> statement-breakpoint
CREATE TABLE `channels` (
	`id` text PRIMARY KEY NOT NULL,
	`space_id` text NOT NULL,
	`agent_id` text NOT NULL,
	`provider` text NOT NULL,
	`handle` text NOT NULL,
	`dispatch_mode` text DEFAULT 'message' NOT NULL,
	`status` text NOT NULL,
	`error_code` text,
	`error_message` text,
	`account_sid` text NOT NULL,
	`auth_token_sealed` text NOT NULL,
	`from_number` text NOT NULL,
	`number_sid` text,
	`pairing_code` text,
	`pairing_expires_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`space_id`) REFERENCES `spaces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `channels_handle_unique` ON `channels` (`handle`);--> statement-breakpoint
CREATE TABLE `messages` (
	`id` text PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`direction` text NOT NULL,
	`from_address` text NOT NULL,
	`to_address` text NOT NULL,
	`body` text NOT NULL,
	`status` text NOT NULL,
	`drop_reason` text,
	`twilio_sid` text,
	`error_code` text,
	`error_message` text,
	`encoding` text,
	`segments` integer,
	`turn_id` text,
	`meta` text,
	`processed_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_channel_sid` ON `messages` (`channel_id`,`twilio_sid`);--> statement-breakpoint
CREATE INDEX `messages_channel_created` ON `messages` (`channel_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `paired_addresses` (
	`channel_id` text NOT NULL,
	`address` text NOT NULL,
	`paired_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	PRIMARY KEY(`channel_id`, `address`),
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `spaces` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL
);
