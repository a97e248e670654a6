// Channels: what the admin API takes and returns for them, their messages, turns, diagnostics and live events.
// The shapes are produced by src/channel/view.ts, src/db/messages.ts and src/domain/twilio/health.ts; the routes
// check what they return against these at compile time, and the integration tests check every answer at run time.
import { z } from "zod";
import { ACCOUNT_SID, E164, MESSAGING_SERVICE_SID } from "../../domain/phone";
import { agentName, spaceName } from "../names";
import { component, Id, Time } from "./common";
import { Media } from "./media";
import { Watch } from "./signals";

export const SID_WORDS = "An Account SID is AC followed by 32 characters from 0-9 and a-f, as the Twilio Console shows it";
const NUMBER_WORDS = "Enter the number in E.164 form: + and the country code, such as +15551234567";

export const accountSid = z.string().trim().regex(ACCOUNT_SID, SID_WORDS);
export const fromNumber = z.string().trim().regex(E164, NUMBER_WORDS);
export const authToken = z.string().trim().min(1, "Enter the auth token").max(200, "An auth token is at most 200 characters");
/** A Messaging Service to send replies through; "" or null: none (replies go out from the number itself). */
const messagingServiceSid = z
  .string()
  .trim()
  .refine((v) => v === "" || MESSAGING_SERVICE_SID.test(v), "A Messaging Service SID is MG followed by 32 characters from 0-9 and a-f, as the Twilio Console shows it")
  .nullable()
  .transform((v) => v || null)
  .describe("A Messaging Service (MG…) to send replies through (US A2P 10DLC); it must defer incoming texts to the number's webhook. Empty or null: none.");
const dispatchMode = z.enum(["message", "signal"], { error: 'Choose "message" or "signal"' }).describe("message: the agent answers texts; signal: texts feed signal watches.");

/** A field left empty falls back to its VOICE_TWILIO_* default; one that is filled in must be well formed. */
const orDefault = (pattern: RegExp, words: string, setting: string) =>
  z
    .string()
    .trim()
    .refine((v) => v === "" || pattern.test(v), words)
    .optional()
    .describe(`Empty or absent: ${setting}.`);

export const CreateChannel = component(
  "CreateChannel",
  z.object({
    provider: z.literal("twilio_sms", { error: 'provider must be "twilio_sms"' }),
    space_id: z.string().min(1, "Choose a space").optional().describe("An existing space; or give `space` to create one with the channel."),
    space: z.object({ name: spaceName }).strict().optional().describe("A new space for the channel, instead of space_id."),
    agent_id: z.string().min(1, "Choose an agent").optional().describe("An existing agent, which must belong to space_id; or give `agent` to create one with the channel."),
    agent: z.object({ name: agentName }).strict().optional().describe("A new agent (in the channel's space) to answer it, instead of agent_id."),
    dispatch_mode: dispatchMode.optional().describe("Default message."),
    config: z
      .object({
        account_sid: orDefault(ACCOUNT_SID, SID_WORDS, "VOICE_TWILIO_ACCOUNT_SID"),
        auth_token: z.string().max(200, "An auth token is at most 200 characters").optional().describe("Empty or absent: VOICE_TWILIO_AUTH_TOKEN. Stored encrypted, never returned."),
        from_number: orDefault(E164, NUMBER_WORDS, "VOICE_TWILIO_FROM_NUMBER"),
        messaging_service_sid: messagingServiceSid.optional(),
      })
      .strict()
      .default({}),
  }),
  "Exactly one of space_id and space, and one of agent_id and agent. Every invalid field is reported at once; a refused request creates nothing.",
);
export type CreateChannel = z.output<typeof CreateChannel>;

export const PatchChannel = component(
  "PatchChannel",
  z
    .object({
      agent_id: z.string().min(1).optional(),
      dispatch_mode: dispatchMode.optional(),
      config: z
        .object({ account_sid: accountSid.optional(), auth_token: authToken.optional(), from_number: fromNumber.optional(), messaging_service_sid: messagingServiceSid.optional() })
        .strict()
        .optional(),
    })
    .strict(),
);

export const ChannelParams = z.object({ id: z.string().describe("The channel's id (ch_…).") });
export const PairedAddressParams = ChannelParams.extend({ address: z.string().describe("The paired address (E.164, URL-encoded).") });

export const Pairing = component("Pairing", z.object({ code: z.string(), expires_at: Time }), "A pairing code: texting it from a phone pairs that phone.");

export const Channel = component(
  "Channel",
  z.object({
    id: Id("ch", "channel"),
    provider: z.literal("twilio_sms"),
    handle: z.string().describe("The channel's Cedar resource id (Policy::Channel::\"<handle>\"): sms, sms-2 …"),
    space_id: Id("sp", "space"),
    agent_id: Id("ag", "agent"),
    status: z.enum(["registering", "pairing", "connected", "failed", "disconnected"]),
    error: z.object({ code: z.string(), message: z.string() }).nullable().describe("Why the channel failed (bad_credentials, number_not_found, twilio_error …)."),
    dispatch_mode: dispatchMode,
    webhook_url: z.string().nullable().describe("Twilio's SmsUrl for the number; null until SERVER_EXTERNAL_URL is set."),
    status_callback_url: z.string().nullable(),
    pairing: Pairing.nullable(),
    paired_addresses: z.array(z.object({ address: z.string(), paired_at: Time })),
    config: z
      .object({ account_sid: z.string(), from_number: z.string(), messaging_service_sid: z.string().nullable().describe("The Messaging Service replies go through (MG…), or null: sent from the number.") })
      .describe("The Twilio settings (never the auth token)."),
    created_at: Time,
    updated_at: Time,
  }),
);

export const SmsUrlLeft = component(
  "SmsUrlLeft",
  z.object({ found: z.string().describe("The SmsUrl the number had: not this channel's webhook."), message: z.string() }),
  "Present when the number's SmsUrl pointed elsewhere, so it was left as it is.",
);
export const ChannelDeleted = component("ChannelDeleted", z.object({ id: Id("ch", "channel"), deleted: z.literal(true), sms_url_cleared: z.boolean(), sms_url_left: SmsUrlLeft.optional() }));
export const ChannelDisconnected = component("ChannelDisconnected", Channel.extend({ sms_url_left: SmsUrlLeft.optional() }));

export const Diagnostics = component(
  "Diagnostics",
  z.object({
    checked_at: Time,
    checks: z.array(
      z.object({
        id: z.enum(["credentials", "sms_url", "messaging_service", "signature", "status_callbacks", "inbound"]),
        status: z.enum(["ok", "warn", "fail"]),
        message: z.string(),
        hint: z.string().nullable(),
      }),
    ),
  }),
);

export const Message = component(
  "Message",
  z.object({
    id: Id("msg", "message"),
    direction: z.enum(["inbound", "outbound", "watch"]).describe("watch: a signal watch's result recorded in the conversation it resumed (from: the watch id, to: the sender)."),
    from: z.string(),
    to: z.string(),
    body: z.string(),
    status: z.string().describe("inbound: received | pairing | signal | keyword | dropped; outbound: pending | queued | sending | sent | delivered | undelivered | failed …"),
    drop_reason: z.string().nullable().describe("Why a dropped text ran no turn: not_paired, policy_denied, pairing_code_wrong, rate_limited (MAX_TURNS_PER_SENDER_PER_HOUR) …"),
    twilio_sid: z.string().nullable(),
    error_code: z.string().nullable().describe("Twilio's error code (e.g. 30034), or textgate's own (recipient_opted_out)."),
    error_message: z.string().nullable(),
    error: z
      .object({
        code: z.string().nullable(),
        message: z.string().describe("Twilio's words, or its title for the code."),
        explanation: z.string().describe("What happened, for the owner."),
        hint: z.string().nullable().describe("What to do about it."),
        more_info: z.string().nullable().describe("Twilio's page for the code: https://www.twilio.com/docs/errors/<code>."),
      })
      .nullable()
      .describe("error_code and error_message explained (README: Twilio error codes)."),
    encoding: z.string().nullable(),
    segments: z.number().int().nullable(),
    turn_id: z.string().nullable(),
    meta: z.record(z.string(), z.unknown()).nullable(),
    media: z.array(Media).describe("Its media (an MMS), in order."),
    created_at: Time,
    updated_at: Time,
  }),
);

export const Turn = component(
  "Turn",
  z.object({
    id: z.string(),
    sender: z.string(),
    status: z.enum(["queued", "running", "completed", "failed"]),
    attempts: z.number().int().min(0),
    error: z.string().nullable(),
    inbound_message_id: z.string(),
    reply_message_id: z.string().nullable(),
    steps: z.number().int().nullable(),
    tool_calls: z.array(z.string()),
    created_at: Time,
    completed_at: Time.nullable(),
  }),
);

export const ChannelEvent = component(
  "ChannelEvent",
  z.discriminatedUnion("type", [
    z.object({ type: z.literal("channel"), channel: Channel }),
    z.object({ type: z.literal("message"), message: Message }),
    z.object({ type: z.literal("watch"), watch: Watch }),
  ]),
  "A frame of the channel events WebSocket.",
);

const CH = "ch_9c4e7g1j5m8p2r6t0w3y5a8c1e4g7j";
const at = "2026-01-05T09:00:00.000Z";

/** Examples for the reference (each is checked against its schema by test/integration/openapi.test.ts). */
export const channelExamples = {
  channel: {
    id: CH,
    provider: "twilio_sms",
    handle: "sms",
    space_id: "sp_7k2m9q4x8c1v5b3n6z0w",
    agent_id: "ag_3f8h1k5m9p2r6t0v4x7z",
    status: "connected",
    error: null,
    dispatch_mode: "message",
    webhook_url: `https://textgate.example.workers.dev/webhooks/twilio/sms/${CH}`,
    status_callback_url: `https://textgate.example.workers.dev/webhooks/twilio/sms/${CH}/status`,
    pairing: null,
    paired_addresses: [{ address: "+15559876543", paired_at: at }],
    config: { account_sid: `AC${"0123456789abcdef".repeat(2)}`, from_number: "+15550001111", messaging_service_sid: null },
    created_at: at,
    updated_at: at,
  },
  create: {
    provider: "twilio_sms",
    space_id: "sp_7k2m9q4x8c1v5b3n6z0w",
    agent_id: "ag_3f8h1k5m9p2r6t0v4x7z",
    config: { account_sid: `AC${"0123456789abcdef".repeat(2)}`, auth_token: "your-auth-token", from_number: "+15550001111" },
  },
  message: {
    id: "msg_6d2h8k4n0q7s3v9x1z5b",
    direction: "inbound",
    from: "+15559876543",
    to: "+15550001111",
    body: "what is on today?",
    status: "received",
    drop_reason: null,
    twilio_sid: `SM${"0123456789abcdef".repeat(2)}`,
    error_code: null,
    error_message: null,
    error: null,
    encoding: null,
    segments: null,
    turn_id: "turn_6d2h8k4n0q7s3v9x1z5b",
    meta: null,
    media: [{ id: "med_6d2h8k4n0q7s3v9x1z5b0", content_type: "image/jpeg", size: 48213, status: "stored", reason: null, url: "/api/media/med_6d2h8k4n0q7s3v9x1z5b0" }],
    created_at: at,
    updated_at: at,
  },
  turn: {
    id: "turn_6d2h8k4n0q7s3v9x1z5b",
    sender: "+15559876543",
    status: "completed",
    attempts: 1,
    error: null,
    inbound_message_id: "msg_6d2h8k4n0q7s3v9x1z5b",
    reply_message_id: "msg_2b7f3j9m5p1s6v0y4c8e",
    steps: 1,
    tool_calls: [],
    created_at: at,
    completed_at: at,
  },
  diagnostics: {
    checked_at: at,
    checks: [
      { id: "credentials", status: "ok", message: "Twilio accepted the credentials for account AC….", hint: null },
      { id: "sms_url", status: "ok", message: "The number's SmsUrl points at this channel.", hint: null },
    ],
  },
  pairing: { code: "K7M2QX", expires_at: at },
} as const;
