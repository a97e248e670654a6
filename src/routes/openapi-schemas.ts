// The OpenAPI components: the JSON shapes the API takes and returns, hand-written from the route files and the
// view functions (channel/view.ts, db/messages.ts, signals/types.ts …). Keep them in step when a shape changes.

import { MAX_ADDRESS_LENGTH, MAX_HANDLE_LENGTH } from "../domain/policy";
import { CATEGORIES, MAX_PATTERN_LENGTH, MAX_PATTERN_PROGRAM } from "../domain/signals";

type Schema = Record<string, unknown>;

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const str = (description?: string, extra: Schema = {}): Schema => ({ type: "string", ...(description ? { description } : {}), ...extra });
const nullStr = (description?: string): Schema => ({ type: ["string", "null"], ...(description ? { description } : {}) });
const time: Schema = { type: "string", format: "date-time" };
const nullTime: Schema = { type: ["string", "null"], format: "date-time" };
const int = (min?: number, max?: number, extra: Schema = {}): Schema => ({ type: "integer", ...(min === undefined ? {} : { minimum: min }), ...(max === undefined ? {} : { maximum: max }), ...extra });
const obj = (properties: Record<string, Schema>, required: string[] = Object.keys(properties), extra: Schema = {}): Schema => ({ type: "object", properties, required, ...extra });
const strict = (properties: Record<string, Schema>, required: string[]): Schema => obj(properties, required, { additionalProperties: false });

const signal = obj({
  code: nullStr("The one-time code found in the message, if any."),
  codes: { type: "array", items: str() },
  links: { type: "array", items: str() },
  categories: { type: "array", items: str(undefined, { enum: [...CATEGORIES] }), description: "What kind of message it is; README, \"Signal categories\", says what each means." },
  body: str(),
  from: str(),
  channel_id: str(),
  received_at: time,
  message_id: str(),
});

const watchRequest = strict(
  {
    agent_id: str("The agent the watch is for. Required with the admin token; with an agent key it defaults to (and must be) the key's agent."),
    channel_id: nullStr("The signal-mode channel to watch; null or absent watches every signal-mode channel."),
    from: nullStr("Only messages from this sender (E.164 number, short code or sender id)."),
    contains: nullStr("Only messages containing this text (case-insensitive, at most 200 characters)."),
    regex: {
      ...nullStr(
        "Only messages matching this regular expression: RE2 syntax, case-insensitive, linear time. Lookahead, " +
          `lookbehind and backreferences are refused, as is a pattern whose RE2 program size exceeds ${MAX_PATTERN_PROGRAM}.`,
      ),
      maxLength: MAX_PATTERN_LENGTH,
    },
    lookback_s: { type: ["integer", "null"], minimum: 0, maximum: 86_400, description: "Also accept messages received up to this many seconds before the watch (default 300)." },
    timeout_s: int(1, 86_400, { description: "How long the watch waits before it times out." }),
  },
  ["timeout_s"],
);

/** "" or null: none. A change registers the number again (and reads the service). */
const serviceSid: Schema = {
  type: ["string", "null"],
  pattern: "^(MG[0-9a-fA-F]{32})?$",
  description: "A Messaging Service (MG…) to send replies through (US A2P 10DLC); it must defer incoming texts to the number's webhook. Empty or null: none.",
};

export const schemas: Record<string, Schema> = {
  Error: obj({ error: obj({ code: str("A stable machine code, e.g. validation_error."), message: str("A client-safe message."), details: { description: "Structured details, e.g. {issues:[{path,message}]}." } }, ["code", "message"]) }),
  Space: obj({ id: str(), name: str(), created_at: time }),
  CreateSpace: strict({ name: str(undefined, { minLength: 1, maxLength: 100 }) }, ["name"]),
  Agent: obj({ id: str(), space_id: str(), name: str(), handle: str(), instructions: str(), model: str('"builtin:echo", "workers-ai:<model>" or "openai:<model>".'), created_at: time }),
  CreateAgent: obj(
    {
      name: str(undefined, { minLength: 1, maxLength: 100 }),
      space_id: str(),
      handle: str("Unique; lowercase letters, digits, - and _. Derived from the name when absent.", { pattern: "^[a-z0-9][a-z0-9_-]{0,62}$" }),
      instructions: str(undefined, { maxLength: 20_000 }),
      model: str(undefined, { pattern: "^(builtin:echo|workers-ai:.+|openai:.+)$" }),
    },
    ["name", "space_id"],
  ),
  AgentKey: obj({ id: str(), agent_id: str(), prefix: str("The key's first characters, to tell keys apart."), name: nullStr(), created_at: time, revoked_at: nullTime }),
  AgentKeyCreated: { allOf: [ref("AgentKey"), obj({ key: str("The API key (tgk_…). Shown only in this response; only its SHA-256 is stored.", { pattern: "^tgk_[A-Za-z0-9_-]{32,}$" }) })] },
  CreateAgentKey: strict({ name: str(undefined, { minLength: 1, maxLength: 100 }) }, []),
  Channel: obj({
    id: str(),
    provider: { const: "twilio_sms" },
    handle: str(),
    space_id: str(),
    agent_id: str(),
    status: { enum: ["registering", "pairing", "connected", "failed", "disconnected"] },
    error: { oneOf: [obj({ code: str(), message: str() }), { type: "null" }] },
    dispatch_mode: { enum: ["message", "signal"] },
    webhook_url: nullStr(),
    status_callback_url: nullStr(),
    pairing: { oneOf: [ref("Pairing"), { type: "null" }] },
    paired_addresses: { type: "array", items: obj({ address: str(), paired_at: time }) },
    config: obj({ account_sid: str(), from_number: str(), messaging_service_sid: nullStr("The Messaging Service replies go through (MG…), or null: sent from the number.") }),
    created_at: time,
    updated_at: time,
  }),
  CreateChannel: obj(
    {
      provider: { const: "twilio_sms" },
      space_id: str("An existing space; or give `space` to create one with the channel."),
      space: strict({ name: str(undefined, { minLength: 1, maxLength: 100 }) }, ["name"]),
      agent_id: str("An existing agent, which must belong to space_id; or give `agent` to create one (in the channel's space) with the channel."),
      agent: strict({ name: str(undefined, { minLength: 1, maxLength: 100 }) }, ["name"]),
      dispatch_mode: { enum: ["message", "signal"], default: "message" },
      config: strict(
        {
          account_sid: str("Defaults to VOICE_TWILIO_ACCOUNT_SID."),
          auth_token: str("Defaults to VOICE_TWILIO_AUTH_TOKEN; stored encrypted, never returned."),
          from_number: str("E.164; defaults to VOICE_TWILIO_FROM_NUMBER."),
          messaging_service_sid: serviceSid,
        },
        [],
      ),
    },
    ["provider"],
    { description: "Exactly one of space_id and space, and one of agent_id and agent. Every invalid field is reported at once; a refused request creates nothing." },
  ),
  PatchChannel: strict(
    {
      agent_id: str(),
      dispatch_mode: { enum: ["message", "signal"] },
      config: strict(
        {
          account_sid: str(undefined, { pattern: "^AC[0-9a-fA-F]{32}$" }),
          auth_token: str(undefined, { minLength: 1, maxLength: 200 }),
          from_number: str(undefined, { pattern: "^\\+[1-9]\\d{1,14}$" }),
          messaging_service_sid: serviceSid,
        },
        [],
      ),
    },
    [],
  ),
  ChannelDeleted: obj(
    { id: str(), deleted: { const: true }, sms_url_cleared: { type: "boolean" }, sms_url_left: ref("SmsUrlLeft") },
    ["id", "deleted", "sms_url_cleared"],
  ),
  SmsUrlLeft: obj({ found: str("The SmsUrl the number had: not this channel's webhook."), message: str() }, ["found", "message"], {
    description: "Present when the number's SmsUrl pointed elsewhere, so it was left as it is.",
  }),
  ChannelDisconnected: { allOf: [ref("Channel"), obj({ sms_url_left: ref("SmsUrlLeft") }, [])] },
  Diagnostics: obj({
    checked_at: time,
    checks: {
      type: "array",
      items: obj({
        id: { enum: ["credentials", "sms_url", "messaging_service", "signature", "status_callbacks", "inbound"] },
        status: { enum: ["ok", "warn", "fail"] },
        message: str(),
        hint: { type: ["string", "null"] },
      }),
    },
  }),
  Pairing: obj({ code: str(), expires_at: time }),
  Message: obj({
    id: str(),
    direction: { enum: ["inbound", "outbound"] },
    from: str(),
    to: str(),
    body: str(),
    status: str("inbound: received | pairing | signal | keyword | dropped; outbound: pending | queued | sending | sent | delivered | undelivered | failed …"),
    drop_reason: nullStr("Why a dropped text ran no turn: not_paired, policy_denied, pairing_code_wrong, rate_limited (MAX_TURNS_PER_SENDER_PER_HOUR) …"),
    twilio_sid: nullStr(),
    error_code: nullStr("Twilio's error code (e.g. 30034), or textgate's own (recipient_opted_out)."),
    error_message: nullStr(),
    error: {
      oneOf: [
        obj({
          code: nullStr(),
          message: str("Twilio's words, or its title for the code."),
          explanation: str("What happened, for the owner."),
          hint: nullStr("What to do about it."),
          more_info: nullStr("Twilio's page for the code: https://www.twilio.com/docs/errors/<code>."),
        }),
        { type: "null" },
      ],
      description: "error_code and error_message explained (README: Twilio error codes).",
    },
    encoding: nullStr(),
    segments: { type: ["integer", "null"] },
    turn_id: nullStr(),
    meta: { type: ["object", "null"] },
    created_at: time,
    updated_at: time,
  }),
  Turn: obj({
    id: str(),
    sender: str(),
    status: { enum: ["queued", "running", "completed", "failed"] },
    attempts: int(0),
    error: nullStr(),
    inbound_message_id: str(),
    reply_message_id: nullStr(),
    steps: { type: ["integer", "null"] },
    tool_calls: { type: "array", items: str() },
    created_at: time,
    completed_at: nullTime,
  }),
  ChannelEvent: { oneOf: [obj({ type: { const: "channel" }, channel: ref("Channel") }), obj({ type: { const: "message" }, message: ref("Message") })] },
  Policy: obj({ text: str("Cedar policies."), version: int(0, undefined, { description: "0 when none was ever saved." }), updated_at: nullTime }),
  PolicySaved: { allOf: [ref("Policy"), obj({ policies: int(0, undefined, { description: "How many policies the text holds." }) })] },
  PolicyProblem: obj({ message: str(), line: int(1), column: int(1), help: str(), policy: str() }, ["message"]),
  PolicyCheck: strict(
    {
      agent: str("The agent's handle.", { maxLength: MAX_HANDLE_LENGTH }),
      action: { enum: ["receive_message", "receive_signal"], default: "receive_message" },
      channel: str("The channel's handle.", { maxLength: MAX_HANDLE_LENGTH }),
      sender: {
        oneOf: [
          str("The sender's address.", { maxLength: MAX_ADDRESS_LENGTH }),
          strict({ address: str(undefined, { maxLength: MAX_ADDRESS_LENGTH }), paired: { type: "boolean" } }, ["address"]),
        ],
      },
    },
    ["agent", "channel", "sender"],
  ),
  PolicyDecision: obj({
    decision: { enum: ["allow", "deny"] },
    reasons: { type: "array", items: str(), description: "Ids of the policies that decided." },
    errors: { type: "array", items: str() },
    explanation: str(),
    policy_version: int(0),
    sender_paired: { type: "boolean" },
    warnings: { type: "array", items: str() },
  }),
  WatchRequest: watchRequest,
  Signal: signal,
  Watch: obj(
    {
      id: str(),
      agent_id: str(),
      channel_id: nullStr(),
      status: { enum: ["waiting", "matched", "timed_out", "cancelled"] },
      signal: ref("Signal"),
      filters: obj({ from: nullStr(), contains: nullStr(), regex: nullStr(), lookback_s: int(0), timeout_s: int(1) }),
      created_at: time,
      expires_at: time,
      settled_at: nullTime,
    },
    ["id", "agent_id", "channel_id", "status", "filters", "created_at", "expires_at", "settled_at"],
  ),
  WatchPush: {
    description: "What the watch WebSocket sends: once when it settles (at once if it already has).",
    oneOf: [obj({ id: str(), status: { const: "matched" }, signal: ref("Signal") }), obj({ id: str(), status: { enum: ["waiting", "timed_out", "cancelled"] } })],
  },
  AwaitSignalResult: {
    description: "The await_signal tool's result (MCP structuredContent).",
    oneOf: [
      obj({ watch_id: str(), status: { const: "matched" }, signal: ref("Signal") }),
      obj({ watch_id: str(), status: { enum: ["timed_out", "cancelled"] } }),
      obj({ status: { const: "error" }, message: str() }),
    ],
  },
  JsonRpcMessage: obj({ jsonrpc: { const: "2.0" }, id: { type: ["string", "integer", "null"] }, method: str(), params: { type: "object" }, result: {}, error: obj({ code: { type: "integer" }, message: str(), data: {} }, ["code", "message"]) }, ["jsonrpc"]),
  TwilioInbound: obj({ MessageSid: str(), SmsSid: str(), AccountSid: str(), From: str(), To: str(), Body: str(), NumMedia: str(), NumSegments: str() }, ["MessageSid", "From"]),
  TwilioStatus: obj({ MessageSid: str(), MessageStatus: str(), ErrorCode: str() }, ["MessageSid", "MessageStatus"]),
};
