// What the Twilio emulator knows, in one place: accounts with their numbers and messages, Messaging Services, the
// media of inbound MMS, and the texts sent from the phone page. Every route reads and changes these objects; the state file (persist.ts) saves the parts below
// that have a schema, so a restarted `npm start` still knows each number's SmsUrl. Requests and faults are test
// instruments and are never saved.
import { randomBytes } from "node:crypto";
import { z } from "zod";

export const hex = (n: number) => randomBytes(n).toString("hex");

/** An IncomingPhoneNumber, with the fields Twilio answers that textgate reads. */
export const NumberSchema = z.object({
  sid: z.string(),
  phone_number: z.string(),
  capabilities: z.object({ sms: z.boolean(), mms: z.boolean(), voice: z.boolean() }),
  sms_url: z.string(),
  sms_method: z.string(),
  /** A TwiML App handling the number's texts: when set, Twilio ignores sms_url. "" when none, as Twilio answers. */
  sms_application_sid: z.string(),
});
export type EmulatedNumber = z.infer<typeof NumberSchema>;

/** A Message resource the account sent (direction outbound-api). */
export const MessageSchema = z.object({
  sid: z.string(),
  to: z.string(),
  from: z.string(),
  body: z.string(),
  status: z.string(),
  status_callback: z.string().nullable(),
  num_segments: z.string(),
  date_created: z.string(),
  date_sent: z.string().nullable(),
  direction: z.string(),
  /** Set by a failed or undelivered status (the ErrorCode its callback carried), as Twilio's Message resource has it. */
  error_code: z.number().nullable(),
  /** The Messaging Service it was sent through (MessagingServiceSid), else null. */
  messaging_service_sid: z.string().nullable(),
  /** An MMS's MediaUrl values, as the app sent them (Twilio fetches them); absent for an SMS. Not in Twilio's answer. */
  media_urls: z.array(z.string()).optional(),
});
export type EmulatedMessage = z.infer<typeof MessageSchema>;

/** A Messaging Service (messaging-services.ts). */
export const ServiceSchema = z.object({
  sid: z.string(),
  account_sid: z.string(),
  friendly_name: z.string(),
  inbound_request_url: z.string().nullable(),
  inbound_method: z.enum(["GET", "POST"]).nullable(),
  use_inbound_webhook_on_number: z.boolean(),
  /** The Sender Pool: phone numbers (E.164) of the account, in the order they were added. */
  numbers: z.array(z.string()),
  date_created: z.string(),
  date_updated: z.string(),
});
export type EmulatedService = z.infer<typeof ServiceSchema>;

/** A text sent from the phone page to one of the emulator's numbers, and what the app answered its webhook. */
export const PhoneTextSchema = z.object({
  account_sid: z.string(),
  sid: z.string(),
  from: z.string(),
  to: z.string(),
  body: z.string(),
  at: z.number(),
  /** The account's last outbound message when this text went out (null: none), so replies sort after it. */
  after: z.string().nullable(),
  status: z.number(),
  response: z.string(),
  /** The attached pictures, as the emulator's CDN paths the page can show. */
  media: z.array(z.string()).default([]),
});
export type PhoneText = z.infer<typeof PhoneTextSchema>;

/** An inbound MMS's media item (media.ts), served with Basic auth and a redirect as Twilio serves it. */
export const MediaSchema = z.object({
  sid: z.string(),
  account_sid: z.string(),
  message_sid: z.string(),
  content_type: z.string(),
  data_b64: z.string(),
  /** Test switches for an item that misbehaves: see MediaInput in media.ts. */
  redirect_to: z.string().optional(),
  extra_redirects: z.number().int().min(0).optional(),
  serve_type: z.string().optional(),
  chunked: z.boolean().optional(),
});
export type EmulatedMedia = z.infer<typeof MediaSchema>;

export interface Fault {
  match: string;
  method?: string;
  after?: boolean;
  status?: number;
  code?: number;
  message?: string;
  drop?: boolean;
  delay_ms?: number;
  /** Messages.json POST: status callbacks Twilio posts before its answer to the create reaches the caller. */
  callbacks_first?: string[];
  /** Create the resource, then take this long to answer (a slow answer after acceptance). */
  hold_ms?: number;
  /** Create the resource, then answer only when the test releases it (POST /__fake/accounts/:sid/release). */
  hold?: boolean;
  /** Answer this raw body (with `status`, default 200) instead: a malformed or surprising answer. */
  body?: string;
  times: number;
}

export interface Account {
  sid: string;
  token: string;
  /** Emulator mode: send status callbacks (sent, then delivered) by itself after each message. */
  autoStatus: boolean;
  numbers: EmulatedNumber[];
  messages: EmulatedMessage[];
  /** `media_urls`: a request's repeated MediaUrl values, which `form` (one value per name) cannot hold. */
  requests: { method: string; path: string; form: Record<string, string>; media_urls?: string[] }[];
  faults: Fault[];
  /** Answers held by a `hold` fault, each waiting for its release. */
  held: (() => void)[];
}

export interface AccountInput {
  sid?: string;
  token?: string;
  numbers?: { phone_number: string; sms?: boolean }[];
  auto_status?: boolean;
}

const newNumber = (n: { phone_number: string; sms?: boolean }): EmulatedNumber => ({
  sid: `PN${hex(16)}`,
  phone_number: n.phone_number,
  capabilities: { sms: n.sms ?? true, mms: n.sms ?? true, voice: true },
  sms_url: "",
  sms_method: "POST",
  sms_application_sid: "",
});

export class EmulatorState {
  readonly accounts = new Map<string, Account>();
  /** Messaging Services, keyed by the lowercase SID: Twilio answers a SID whatever the case of its hex. */
  readonly services = new Map<string, EmulatedService>();
  readonly phoneTexts: PhoneText[] = [];
  /** Inbound media by SID (ME…), oldest first. */
  readonly media = new Map<string, EmulatedMedia>();
  /** Where the emulator listens (http://127.0.0.1:port): the origin of the MediaUrl values it hands out. */
  baseUrl = "";
  /** Requests the emulator has no route for (or parameters Twilio would refuse): a test asserts this stays empty. */
  readonly unexpected: string[] = [];
  #onChange: () => void = () => {};

  /** Called after anything worth saving changed (persist.ts coalesces the writes). */
  onChange(listener: () => void) {
    this.#onChange = listener;
  }

  changed() {
    this.#onChange();
  }

  addAccount(input: AccountInput): Account {
    const acct: Account = {
      sid: input.sid ?? `AC${hex(16)}`,
      token: input.token ?? hex(16),
      autoStatus: input.auto_status ?? false,
      numbers: (input.numbers ?? []).map(newNumber),
      messages: [],
      requests: [],
      faults: [],
      held: [],
    };
    this.accounts.set(acct.sid, acct);
    this.changed();
    return acct;
  }

  /** The account `input.sid` as a saved state left it (its numbers keep their SmsUrl), with any missing numbers added. */
  ensureAccount(input: AccountInput & { sid: string }): Account {
    const acct = this.accounts.get(input.sid);
    if (!acct) return this.addAccount(input);
    if (input.token !== undefined) acct.token = input.token;
    if (input.auto_status !== undefined) acct.autoStatus = input.auto_status;
    for (const n of input.numbers ?? []) if (!acct.numbers.some((x) => x.phone_number === n.phone_number)) acct.numbers.push(newNumber(n));
    this.changed();
    return acct;
  }

  /** The account that owns `phoneNumber`, if any. */
  owner(phoneNumber: string): Account | undefined {
    for (const acct of this.accounts.values()) if (acct.numbers.some((n) => n.phone_number === phoneNumber)) return acct;
    return undefined;
  }
}
