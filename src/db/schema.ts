// D1 schema (drizzle). The source of truth for migrations: edit here, then `npm run db:generate`.
// Timestamps are epoch milliseconds. The channel Durable Object is the only writer of a channel's rows.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const now = sql`(cast(unixepoch('subsecond') * 1000 as integer))`;

export const spaces = sqliteTable("spaces", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  createdAt: integer("created_at").notNull().default(now),
});

export const agents = sqliteTable("agents", {
  id: text("id").primaryKey(),
  spaceId: text("space_id").notNull().references(() => spaces.id),
  name: text("name").notNull(),
  handle: text("handle").notNull().unique(),
  instructions: text("instructions").notNull().default(""),
  model: text("model"),
  createdAt: integer("created_at").notNull().default(now),
});

export const channels = sqliteTable("channels", {
  id: text("id").primaryKey(),
  spaceId: text("space_id").notNull().references(() => spaces.id),
  agentId: text("agent_id").notNull().references(() => agents.id),
  provider: text("provider", { enum: ["twilio_sms"] }).notNull(),
  handle: text("handle").notNull().unique(),
  dispatchMode: text("dispatch_mode", { enum: ["message", "signal"] }).notNull().default("message"),
  status: text("status", { enum: ["registering", "pairing", "connected", "failed", "disconnected"] }).notNull(),
  errorCode: text("error_code"),
  errorMessage: text("error_message"),
  accountSid: text("account_sid").notNull(),
  /** AES-GCM sealed auth token (lib/crypto seal), bound to the channel id. Never the plaintext. */
  authTokenSealed: text("auth_token_sealed").notNull(),
  fromNumber: text("from_number").notNull(),
  numberSid: text("number_sid"),
  /** A Messaging Service (MG…) replies are sent through (US A2P 10DLC); null: sent from the number itself. */
  messagingServiceSid: text("messaging_service_sid"),
  pairingCode: text("pairing_code"),
  pairingExpiresAt: integer("pairing_expires_at"),
  createdAt: integer("created_at").notNull().default(now),
  updatedAt: integer("updated_at").notNull().default(now),
});

export const pairedAddresses = sqliteTable(
  "paired_addresses",
  {
    channelId: text("channel_id").notNull().references(() => channels.id, { onDelete: "cascade" }),
    address: text("address").notNull(),
    pairedAt: integer("paired_at").notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.address] })],
);

export const messages = sqliteTable(
  "messages",
  {
    id: text("id").primaryKey(),
    channelId: text("channel_id").notNull().references(() => channels.id, { onDelete: "cascade" }),
    /** watch: a signal watch's settlement recorded in the conversation it resumes (from: the watch id, to: the sender). */
    direction: text("direction", { enum: ["inbound", "outbound", "watch"] }).notNull(),
    from: text("from_address").notNull(),
    to: text("to_address").notNull(),
    body: text("body").notNull(),
    /** inbound: received | pairing | dropped; outbound: pending | queued | sending | sent | delivered | ...; watch: the settlement's status */
    status: text("status").notNull(),
    dropReason: text("drop_reason"),
    twilioSid: text("twilio_sid"),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    encoding: text("encoding"),
    segments: integer("segments"),
    turnId: text("turn_id"),
    /** JSON: signal annotations, policy reasons, and other structured facts about the message. */
    meta: text("meta"),
    /** Set once the channel object has fully handled an inbound message; a redelivered webhook finishes it. */
    processedAt: integer("processed_at"),
    createdAt: integer("created_at").notNull().default(now),
    updatedAt: integer("updated_at").notNull().default(now),
  },
  (t) => [
    uniqueIndex("messages_channel_sid").on(t.channelId, t.twilioSid),
    index("messages_channel_created").on(t.channelId, t.createdAt),
    // At most one outbound SMS per turn, enforced by the database as well as by the channel object.
    uniqueIndex("messages_outbound_turn").on(t.turnId).where(sql`direction = 'outbound'`),
  ],
);

/** An agent turn: one accepted inbound SMS in message mode, answered by at most one outbound SMS. */
export const turns = sqliteTable(
  "turns",
  {
    id: text("id").primaryKey(),
    channelId: text("channel_id").notNull().references(() => channels.id, { onDelete: "cascade" }),
    agentId: text("agent_id").notNull(),
    /** The conversation: the sender's address. Turns of one conversation run one at a time, in order. */
    sender: text("sender").notNull(),
    inboundMessageId: text("inbound_message_id").notNull(),
    /** queued | running | completed | failed */
    status: text("status").notNull(),
    attempts: integer("attempts").notNull().default(0),
    error: text("error"),
    replyMessageId: text("reply_message_id"),
    steps: integer("steps"),
    toolCalls: text("tool_calls"),
    createdAt: integer("created_at").notNull().default(now),
    updatedAt: integer("updated_at").notNull().default(now),
    completedAt: integer("completed_at"),
  },
  (t) => [index("turns_channel_created").on(t.channelId, t.createdAt)],
);

/**
 * Media of messages (MMS pictures and files), the queryable copy of what each channel object records: the bytes
 * live in R2 under `media/<channel_id>/<id>`, and the object is the only writer of these rows.
 */
export const media = sqliteTable(
  "media",
  {
    id: text("id").primaryKey(),
    channelId: text("channel_id").notNull().references(() => channels.id, { onDelete: "cascade" }),
    /** The message it came with or went with; null for an outbound item attached to a reply not yet recorded. */
    messageId: text("message_id"),
    direction: text("direction", { enum: ["inbound", "outbound"] }).notNull(),
    /** Its place in the message (MediaUrl0, MediaUrl1 …). */
    idx: integer("idx").notNull(),
    contentType: text("content_type").notNull(),
    size: integer("size"),
    status: text("status", { enum: ["pending", "stored", "too_big", "refused_type", "failed"] }).notNull(),
    reason: text("reason"),
    createdAt: integer("created_at").notNull().default(now),
    updatedAt: integer("updated_at").notNull().default(now),
  },
  (t) => [index("media_message").on(t.messageId), index("media_channel_created").on(t.channelId, t.createdAt)],
);

/** Per-channel facts about a sender: opt-out state from STOP/START keywords. */
export const senders = sqliteTable(
  "senders",
  {
    channelId: text("channel_id").notNull().references(() => channels.id, { onDelete: "cascade" }),
    address: text("address").notNull(),
    optedOutAt: integer("opted_out_at"),
    lastKeyword: text("last_keyword"),
    updatedAt: integer("updated_at").notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.address] })],
);

export type SpaceRow = typeof spaces.$inferSelect;
export type AgentRow = typeof agents.$inferSelect;
export type ChannelRow = typeof channels.$inferSelect;
export type MessageRow = typeof messages.$inferSelect;
export type TurnRow = typeof turns.$inferSelect;
export type MediaRow = typeof media.$inferSelect;

/** Every saved version of the user policy text; the highest version is in force. */
export const policyVersions = sqliteTable("policy_versions", {
  version: integer("version").primaryKey({ autoIncrement: true }),
  text: text("text").notNull(),
  createdAt: integer("created_at").notNull().default(now),
});

/** Where each signal watch lives (its channel object, or the any-channel hub) and whose it is. */
export const watchIndex = sqliteTable(
  "signal_watches",
  {
    id: text("id").primaryKey(),
    agentId: text("agent_id").notNull(),
    /** null: the watch waits on any signal-mode channel (it lives in the hub object). */
    channelId: text("channel_id"),
    createdAt: integer("created_at").notNull().default(now),
    /** When the watch stops waiting at the latest; channels offer signals to the hub only while one may wait. */
    expiresAt: integer("expires_at"),
    /** The agent API key that created it (null: the admin or the agent's own turn), for the per-key limit. */
    keyId: text("key_id"),
    /** Set when the watch matched or was cancelled: it stops counting against the limits (as it does at expiry). */
    settledAt: integer("settled_at"),
  },
  (t) => [
    index("signal_watches_channel").on(t.channelId, t.createdAt),
    index("signal_watches_agent_pending").on(t.agentId, t.expiresAt),
    index("signal_watches_key_pending").on(t.keyId, t.expiresAt),
  ],
);

/** Per-agent API keys for external agents (MCP, signals API). Only a SHA-256 of the key is stored. */
export const agentKeys = sqliteTable(
  "agent_keys",
  {
    id: text("id").primaryKey(),
    agentId: text("agent_id").notNull().references(() => agents.id, { onDelete: "cascade" }),
    hash: text("hash").notNull().unique(),
    /** The first characters of the key, to tell keys apart in a list. */
    prefix: text("prefix").notNull(),
    name: text("name"),
    createdAt: integer("created_at").notNull().default(now),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("agent_keys_agent").on(t.agentId)],
);

/**
 * Settings UI sessions: a cookie is honoured only while its row exists, so signing out ends it on the server too
 * (a copied cookie stops working). Keyed by the cookie's random nonce; expired rows are swept at sign-in.
 */
export const uiSessions = sqliteTable(
  "ui_sessions",
  {
    nonce: text("nonce").primaryKey(),
    expiresAt: integer("expires_at").notNull(),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [index("ui_sessions_expires").on(t.expiresAt)],
);
