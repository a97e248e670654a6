// The inbound-SMS and status-callback forms Twilio posts, each defined once and parsed strictly after the signature
// checks out. Strictness is part of the trust boundary: Twilio signs keys and values run together without a
// separator, so one signature also covers other splits of the same bytes (`MessageSid=SM…` + `NumMedia=0` signs
// like `MessageSid=SM…NumMedia0`). Only the split Twilio meant passes: exact SID shapes, digits where Twilio sends
// digits, each key once, media counted. Checks that need the channel (its account and number) are the caller's.
import { z } from "zod";
import { isAddress } from "../phone";
import type { FormParams } from "./signature";

/** Message SIDs: SM (SMS) or MM (MMS) and 32 lowercase hex digits, as Twilio issues them. */
export const MESSAGE_SID = /^(SM|MM)[0-9a-f]{32}$/;
const ACCOUNT_SID = /^AC[0-9a-f]{32}$/;
const SERVICE_SID = /^MG[0-9a-f]{32}$/;
/** Twilio's limit on a message body (https://www.twilio.com/docs/messaging/api/message-resource): 1600 characters. */
export const MAX_BODY_CHARS = 1600;
/** An MMS carries at most 10 media. */
export const MAX_MEDIA = 10;
/** 1600 UCS-2 characters split into 67-character segments are 24; anything far above is no real message. */
const MAX_SEGMENTS = 64;
/** Fields we do not use (FromCity, ToState, AddOns, …) are kept out of the way, but bounded. */
export const MAX_EXTRA_CHARS = 4096;
const MAX_KEYS = 100;
const MAX_KEY_CHARS = 64;

export const MESSAGE_STATUSES = [
  "accepted",
  "scheduled",
  "queued",
  "sending",
  "sent",
  "delivered",
  "undelivered",
  "failed",
  "read",
  "canceled",
  "receiving",
  "received",
  "partially_delivered",
] as const;

const sid = z.string().regex(MESSAGE_SID, "must be SM or MM followed by 32 lowercase hex digits");
const accountSid = z.string().regex(ACCOUNT_SID, "must be AC followed by 32 lowercase hex digits");
const address = z.string().refine(isAddress, "must be an E.164 number, a short code or a sender id");
const count = (max: number) =>
  z
    .string()
    .regex(/^(0|[1-9][0-9]{0,2})$/, "must be a whole number in digits")
    .transform(Number)
    .refine((n) => n <= max, `must be at most ${max}`);
const status = z.enum(MESSAGE_STATUSES, `must be one of Twilio's message statuses (${MESSAGE_STATUSES.join(", ")})`);
const extra = z.string().max(MAX_EXTRA_CHARS, `must be at most ${MAX_EXTRA_CHARS} characters`);
const apiVersion = z.string().regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/, "must be a date such as 2010-04-01");

/** The SID fields Twilio repeats under older names; present ones must agree, and at least one must be there. */
const sids = { MessageSid: sid.optional(), SmsSid: sid.optional(), SmsMessageSid: sid.optional() };
type Sids = { MessageSid?: string; SmsSid?: string; SmsMessageSid?: string };

function agreeingSid(form: Sids, ctx: z.RefinementCtx) {
  const present = (["MessageSid", "SmsSid", "SmsMessageSid"] as const).filter((k) => form[k] !== undefined);
  if (!present.length) ctx.addIssue({ code: "custom", path: ["MessageSid"], message: "is required" });
  for (const k of present.slice(1)) {
    if (form[k] !== form[present[0]!]) ctx.addIssue({ code: "custom", path: [k], message: `must equal ${present[0]}` });
  }
}

const MEDIA_KEY = /^Media(Url|ContentType)([0-9]+)$/;

/**
 * Twilio's media URLs are https; plain http only from a local emulator (127.0.0.1 or localhost). Where a media URL
 * may be fetched from is decided again at each hop (src/domain/media/hosts.ts): only Twilio's hosts or the
 * configured TWILIO_API_BASE, so a local http URL is fetched only when that is where the emulator runs.
 */
const MEDIA_URL = /^(https:\/\/|http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/)[^\s]+$/;

/** MediaUrl0..N-1 and MediaContentType0..N-1 for NumMedia = N: each pair present, nothing beyond. */
function countedMedia(form: Record<string, unknown> & { NumMedia: number }, ctx: z.RefinementCtx) {
  for (const key of Object.keys(form)) {
    const m = MEDIA_KEY.exec(key);
    if (!m) continue;
    const index = Number(m[2]);
    if (String(index) !== m[2] || index >= form.NumMedia) ctx.addIssue({ code: "custom", path: [key], message: `is beyond NumMedia=${form.NumMedia}` });
  }
  for (let i = 0; i < form.NumMedia; i++) {
    const url = form[`MediaUrl${i}`];
    const type = form[`MediaContentType${i}`];
    if (typeof url !== "string" || !MEDIA_URL.test(url)) ctx.addIssue({ code: "custom", path: [`MediaUrl${i}`], message: `must be an https URL (NumMedia=${form.NumMedia})` });
    if (typeof type !== "string" || !/^[\w.+-]+\/[\w.+-]+$/.test(type)) ctx.addIssue({ code: "custom", path: [`MediaContentType${i}`], message: `must be a media type (NumMedia=${form.NumMedia})` });
  }
}

/** The inbound webhook's fields (what the API reference shows); parseInboundForm adds the checks on raw keys. */
export const InboundFields = z
  .object({
    ...sids,
    AccountSid: accountSid,
    From: address,
    To: address,
    Body: z.string().refine((b) => codePoints(b) <= MAX_BODY_CHARS, `must be at most ${MAX_BODY_CHARS} characters (Twilio's limit)`),
    NumMedia: count(MAX_MEDIA),
    NumSegments: count(MAX_SEGMENTS).optional(),
    /** Present when the number is in a Messaging Service: texts to any of its numbers may be posted here. */
    MessagingServiceSid: z.string().regex(SERVICE_SID, "must be MG followed by 32 lowercase hex digits").optional(),
    SmsStatus: status.optional(),
    ApiVersion: apiVersion.optional(),
  })
  .catchall(extra)
  .superRefine((form, ctx) => {
    agreeingSid(form, ctx);
    countedMedia(form, ctx);
  });

/** The status callback's fields. */
export const StatusFields = z
  .object({
    ...sids,
    AccountSid: accountSid,
    MessageStatus: status.optional(),
    SmsStatus: status.optional(),
    ErrorCode: z.string().regex(/^[0-9]{1,6}$/, "must be digits").optional(),
    From: address.optional(),
    To: address.optional(),
    ApiVersion: apiVersion.optional(),
  })
  .catchall(extra)
  .superRefine((form, ctx) => {
    agreeingSid(form, ctx);
    if (!form.MessageStatus && !form.SmsStatus) ctx.addIssue({ code: "custom", path: ["MessageStatus"], message: "is required" });
    else if (form.MessageStatus && form.SmsStatus && form.MessageStatus !== form.SmsStatus) ctx.addIssue({ code: "custom", path: ["SmsStatus"], message: "must equal MessageStatus" });
  });

/**
 * The form as parsed from the body (a repeated key is an array): a bounded number of short keys, each once. A repeat
 * would be a second value for one field, which the signature covers as readily as the first.
 */
const SingleValued = z
  .record(z.string(), z.unknown())
  .superRefine((form, ctx) => {
    const keys = Object.keys(form);
    if (keys.length > MAX_KEYS) ctx.addIssue({ code: "custom", path: [], message: `has more than ${MAX_KEYS} fields` });
    else if (keys.some((k) => k.length > MAX_KEY_CHARS)) ctx.addIssue({ code: "custom", path: [], message: `a field name is longer than ${MAX_KEY_CHARS} characters` });
  })
  .pipe(z.record(z.string(), z.string({ error: "appears more than once" })));

const sidOf = (f: Sids) => (f.MessageSid ?? f.SmsSid ?? f.SmsMessageSid)!;

/** An inbound SMS or MMS webhook (POST to the number's SmsUrl), reduced to the fields textgate uses. */
export const InboundForm = SingleValued.pipe(InboundFields).transform((f) => ({
  sid: sidOf(f),
  accountSid: f.AccountSid,
  from: f.From,
  to: f.To,
  body: f.Body,
  numMedia: f.NumMedia,
  /** The Messaging Service of the number texted, when it is in one. */
  messagingServiceSid: f.MessagingServiceSid ?? null,
  /** MediaUrlN with MediaContentTypeN, in order (each pair checked against NumMedia above). */
  media: Array.from({ length: f.NumMedia }, (_, i) => ({ url: f[`MediaUrl${i}`]!, contentType: f[`MediaContentType${i}`]! })),
}));
export type InboundForm = z.output<typeof InboundForm>;

/** A status callback for a message we sent (POST to the StatusCallback we gave). */
export const StatusForm = SingleValued.pipe(StatusFields).transform((f) => ({
  sid: sidOf(f),
  accountSid: f.AccountSid,
  status: (f.MessageStatus ?? f.SmsStatus)!,
  errorCode: f.ErrorCode ?? null,
}));
export type StatusForm = z.output<typeof StatusForm>;

export type FormCheck<T> = { ok: true; form: T } | { ok: false; field: string; message: string };

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** The first problem, named by its field ("form" for the form as a whole), as the 400 invalid_webhook reports it. */
function check<S extends z.ZodType>(schema: S, params: FormParams): FormCheck<z.output<S>> {
  const parsed = schema.safeParse(params);
  if (parsed.success) return { ok: true, form: parsed.data };
  const issue = parsed.error.issues[0]!;
  const field = issue.path.length ? String(issue.path[0]) : "form";
  return { ok: false, field, message: `${field}: ${issue.message}` };
}

export const parseInboundForm = (params: FormParams): FormCheck<InboundForm> => check(InboundForm, params);
export const parseStatusForm = (params: FormParams): FormCheck<StatusForm> => check(StatusForm, params);
