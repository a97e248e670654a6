// What the settings UI says about states and failures, in one place, so badges, hints and reasons stay consistent
// with the API's codes (src/channel/view.ts, src/domain/twilio/registration.ts, src/db/messages.ts). The API's
// validation messages come from here too (issueWords), so a form's field errors and the API's say the same.
import type { z } from "zod";
import type { ChannelView } from "../channel/view";
import type { MediaView } from "../db/media";
import { humanSize } from "../domain/media";
import { isCategory } from "../domain/signals/categories";
import type { WatchView } from "../signals/types";

export type Tone = "ok" | "wait" | "bad" | "off";

export const CHANNEL_STATUS: Record<ChannelView["status"], { label: string; tone: Tone }> = {
  registering: { label: "Registering", tone: "wait" },
  pairing: { label: "Pairing", tone: "wait" },
  connected: { label: "Connected", tone: "ok" },
  failed: { label: "Failed", tone: "bad" },
  disconnected: { label: "Disconnected", tone: "off" },
};

/** What to do about each registration failure; shown under the error Twilio or the config gave. */
export const ERROR_HINTS: Record<string, string> = {
  bad_credentials:
    "Twilio did not accept the credentials. Check the Account SID and Auth Token in the Twilio Console, correct them under Twilio settings below, then retry.",
  number_not_found: "The From number is not in this Twilio account. Check it is written in E.164 (+15551234567) and belongs to this Account SID.",
  not_sms_capable: "This number cannot send or receive SMS. Pick an SMS-capable number in the Twilio Console and set it as the From number.",
  invalid_external_url:
    "Twilio can only deliver texts to a public URL. Set SERVER_EXTERNAL_URL to your public https URL (for example your workers.dev address), then retry.",
  twilio_unreachable: "Twilio's API could not be reached or was not answering normally. This is usually temporary: retry in a moment.",
  twilio_error: "Twilio refused the request. The message above includes Twilio's error code; fix what it names, then retry.",
  messaging_service_not_found:
    "The Messaging Service SID is not a service of this Twilio account. Copy it (MG…) from the Twilio Console, Messaging → Services, into Twilio settings below, or clear it, then retry.",
  messaging_service_inbound:
    "The Messaging Service takes this number's incoming texts and sends them elsewhere. Change its Integration setting as the message says, then retry.",
  messaging_service_changed: "The Messaging Service's incoming-text setting changed; see Diagnostics below for what to set in the Twilio Console.",
};

export const hintFor = (code: string) => ERROR_HINTS[code] ?? "Fix what the message above names, then retry.";

const DROP_REASONS: Record<string, string> = {
  not_paired: "Ignored: this phone is not paired with the channel.",
  pairing_code_wrong: "Ignored: wrong pairing code.",
  pairing_code_used: "Ignored: another phone paired with this code first.",
  pairing_code_expired: "Ignored: the pairing code had expired.",
  pairing_locked: "Ignored: too many wrong pairing codes from this phone, so pairing is locked for it.",
  policy_denied: "Ignored: the policies do not let the agent receive texts from this sender.",
  rate_limited: "Ignored: this phone already started as many agent turns in the last hour as MAX_TURNS_PER_SENDER_PER_HOUR allows, so no turn ran.",
};

/** A dropped message's reason in words; reasons added later still read sensibly. */
export function dropReasonText(reason: string | null, meta: Record<string, unknown> | null): string {
  if (!reason) return "Ignored.";
  const text = DROP_REASONS[reason] ?? `Ignored: ${reason.replace(/_/g, " ")}.`;
  const left = meta?.tries_left;
  if (reason === "pairing_code_wrong" && typeof left === "number") return `${text.slice(0, -1)} (${left} ${left === 1 ? "try" : "tries"} left).`;
  const limit = meta?.limit;
  if (reason === "rate_limited" && typeof limit === "number") return `${text.slice(0, -1)} (${limit} an hour).`;
  const policy = meta?.policy;
  const why = policy && typeof policy === "object" && "explanation" in policy && typeof policy.explanation === "string" ? policy.explanation : null;
  return reason === "policy_denied" && why ? `${text} ${why}` : text;
}

export const MESSAGE_STATUS: Record<string, { label: string; tone: Tone }> = {
  received: { label: "Received", tone: "ok" },
  pairing: { label: "Paired", tone: "ok" },
  keyword: { label: "Keyword", tone: "off" },
  signal: { label: "Signal", tone: "ok" },
  dropped: { label: "Dropped", tone: "off" },
  pending: { label: "Pending", tone: "wait" },
  queued: { label: "Queued", tone: "wait" },
  sending: { label: "Sending", tone: "wait" },
  sent: { label: "Sent", tone: "wait" },
  delivered: { label: "Delivered", tone: "ok" },
  read: { label: "Read", tone: "ok" },
  undelivered: { label: "Undelivered", tone: "bad" },
  failed: { label: "Failed", tone: "bad" },
  canceled: { label: "Canceled", tone: "off" },
  // A signal watch's result, recorded in the conversation it resumed.
  matched: { label: "Watch matched", tone: "ok" },
  timed_out: { label: "Watch timed out", tone: "off" },
  cancelled: { label: "Watch cancelled", tone: "off" },
  completed: { label: "Watch completed", tone: "ok" },
};

/** What signal mode made of an inbound text: the code it found, its categories, and which watch has it (a later lookback updates it). */
export function signalText(meta: Record<string, unknown> | null): string {
  const a = meta?.annotation;
  const code = a && typeof a === "object" && "code" in a && typeof a.code === "string" ? a.code : null;
  const listed = a && typeof a === "object" && "categories" in a && Array.isArray(a.categories) ? a.categories : [];
  const categories = listed.filter((c): c is string => typeof c === "string" && isCategory(c));
  const watch = typeof meta?.watch_id === "string" ? meta.watch_id : null;
  const kinds = categories.length ? `; ${categories.join(", ")}` : "";
  return `${code ? `Code ${code}` : "No code found"}${kinds}; ${watch ? `taken by signal watch ${watch}.` : "no signal watch has taken it yet."}`;
}

/** One media item in words: its type and size when stored, else what became of it. */
export function mediaText(m: Pick<MediaView, "content_type" | "size" | "status" | "reason">): string {
  switch (m.status) {
    case "stored":
      return `${m.content_type}, ${humanSize(m.size)}`;
    case "pending":
      return `${m.content_type}: downloading${m.reason ? ` (last try: ${m.reason})` : ""}…`;
    case "too_big":
      return `${m.content_type}: too big (${m.reason ?? "over the limit"})`;
    default:
      return `Not kept: ${m.reason ?? m.status}`;
  }
}

export const messageStatus = (status: string) => MESSAGE_STATUS[status] ?? { label: status, tone: "off" as Tone };

/** Outbound statuses that mean Twilio took the message but has not yet called back to say it went out. */
export const AWAITING_CALLBACK = new Set(["queued", "sending", "accepted", "scheduled"]);
export const CALLBACK_GRACE_MS = 2 * 60 * 1000;

export const DISPATCH_MODES = {
  message: { label: "Message", consequence: "The agent replies to texts from paired phones." },
  signal: {
    label: "Signal",
    consequence: "In signal mode the agent stops replying to this number; texts are matched against signal watches.",
  },
} as const;

/** Asked before a channel page switches to signal mode: what stops, and what happens to texts instead. */
export const signalSwitchConfirm = (number: string) =>
  `Switch ${number} to signal mode? The agent stops replying to texts on this number. Each text is matched against signal watches instead, for agents waiting for a code.`;

/** What deleting a channel does: what goes, and what happens to the number in Twilio. */
export const DELETE_CONSEQUENCE =
  "Its messages, paired phones and signal watches are deleted. In Twilio, the number's SmsUrl is cleared if it still points at this channel; if it points somewhere else now, it is left as it is.";

/** Asked before a channel is deleted. */
export const deleteConfirm = (ch: Pick<ChannelView, "handle" | "config">) => `Delete channel ${ch.handle} (${ch.config.from_number})? ${DELETE_CONSEQUENCE}`;

/** A signal watch by what it waits for and how it stands, e.g. `Code from +15551230000 containing "bank" · 4 min left`. */
export function watchText(w: WatchView, now: number): string {
  const f = w.filters;
  const from = Array.isArray(f.from) ? f.from.join(", ") : f.from;
  const what = [from && `from ${from}`, f.categories?.length && `in ${f.categories.join(", ")}`, f.contains && `containing "${f.contains}"`, f.regex && `matching /${f.regex}/`].filter(Boolean).join(" ");
  const kind = w.mode === "continuous" ? `Every text${what ? ` ${what}` : " with a code"}` : what ? `Code ${what}` : "Any code";
  return `${w.title ? `"${w.title}": ` : ""}${kind} · ${watchState(w, now)}`;
}

/** Time left, in the largest unit that reads well (watches wait up to a week). */
function timeLeft(ms: number): string {
  if (ms < 60_000) return "less than a minute left";
  if (ms < 2 * 3600_000) return `${Math.ceil(ms / 60_000)} min left`;
  if (ms < 2 * 86_400_000) return `${Math.ceil(ms / 3600_000)} h left`;
  return `${Math.ceil(ms / 86_400_000)} days left`;
}

function watchState(w: WatchView, now: number): string {
  switch (w.status) {
    case "waiting":
      return `${timeLeft(Date.parse(w.expires_at) - now)}${w.mode === "continuous" ? `, ${w.match_count} matched so far` : ""}`;
    case "matched":
      return w.signal?.code ? `matched code ${w.signal.code}` : "matched a text without a code";
    case "completed":
      return `took its ${w.match_count} matches`;
    case "timed_out":
      return w.mode === "continuous" ? `timed out after ${w.match_count} matches` : "timed out";
    case "cancelled":
      return "cancelled";
  }
}
const KIND: Record<string, string> = { string: "text", number: "a number", int: "a whole number", boolean: "true or false", array: "a list", object: "an object", null: "null" };
const unit = (origin: string, n: number | bigint) =>
  origin === "string" ? `${n} character${n === 1 ? "" : "s"}` : origin === "array" || origin === "set" ? `${n} item${n === 1 ? "" : "s"}` : String(n);

/**
 * A validation problem in plain words, for every issue whose schema gives no message of its own (a schema's own
 * message, e.g. "must be an E.164 number such as +15551234567", always wins). It is a zod error map: the API's
 * validator passes it to safeParse, and details.issues[].message is what the settings forms show by each field.
 * Returning undefined falls back to zod's own English.
 */
export const issueWords = (issue: z.core.$ZodRawIssue): string | undefined => {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "is required";
      return `must be ${KIND[issue.expected] ?? issue.expected}`;
    case "too_small":
      if (issue.origin === "string" && Number(issue.minimum) === 1) return "must not be empty";
      if (issue.exact) return `must be exactly ${unit(issue.origin, issue.minimum)}`;
      return `must be at least ${unit(issue.origin, issue.minimum)}`;
    case "too_big":
      if (issue.exact) return `must be exactly ${unit(issue.origin, issue.maximum)}`;
      return `must be at most ${unit(issue.origin, issue.maximum)}`;
    case "invalid_value":
      return issue.values.length === 1 ? `must be ${JSON.stringify(issue.values[0])}` : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_format":
      return issue.format === "starts_with" && "prefix" in issue ? `must start with "${String(issue.prefix)}"` : "is not in the expected format";
    case "unrecognized_keys":
      return `has ${issue.keys.length === 1 ? "a field" : "fields"} this request does not take: ${issue.keys.join(", ")}`;
    case "invalid_union":
      return "does not match any of the accepted forms";
    default:
      return undefined;
  }
};
