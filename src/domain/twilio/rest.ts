// A small client for the parts of Twilio's REST API textgate uses (IncomingPhoneNumbers, Messages, and a Messaging
// Service from the Messaging API). Plain fetch
// with Basic auth against a configurable base URL, so tests and local runs talk to a fake. Expected failures come
// back as a tagged union classified by what the caller should do: fix credentials, give up, or retry later.
import type { z } from "zod";
import {
  answerProblem,
  ErrorAnswer,
  IncomingNumberAnswer,
  IncomingNumberPage,
  MessageAnswer,
  MessagePage,
  MessagingServiceAnswer,
  type IncomingNumber,
  type ListedMessageAnswer,
  type MessagingService,
  type TwilioMessage,
} from "./rest-answers";

export type { IncomingNumber, MessagingService, TwilioMessage } from "./rest-answers";

/** `unexpected`: Twilio answered 2xx with a body of another shape than the one textgate reads (not JSON, a field missing…). */
export type TwilioFailure =
  | { kind: "auth"; status: number; code?: number; message: string }
  | { kind: "client"; status: number; code?: number; message: string; more_info?: string }
  | { kind: "rate_limited" | "server" | "unexpected"; status: number; code?: number; message: string }
  | { kind: "network" | "timeout"; message: string };

export type TwilioResult<T> = { ok: true; value: T } | { ok: false; error: TwilioFailure };

export type ListedMessage = z.output<typeof ListedMessageAnswer> & { created: number };
const LIST_ORDER_MARGIN_MS = 15 * 60_000;

/**
 * A reply goes out from the number itself, or through a Messaging Service that picks the sender from its pool; an
 * MMS when MediaUrl is given (Twilio fetches each; at most 10).
 */
export type SendParams = { To: string; Body: string; StatusCallback?: string; MediaUrl?: string[] } & ({ From: string; MessagingServiceSid?: never } | { MessagingServiceSid: string; From?: never });

/** The two Messages calls a reply needs: what the ledger's sender depends on (a fake in unit tests). */
export interface MessagesApi {
  sendMessage(params: SendParams): Promise<TwilioResult<TwilioMessage>>;
  /** Without From: every outbound message to `To` (a service's sender is whichever number it picked). */
  listRecentMessages(params: { To: string; From?: string; createdSince: number }): Promise<TwilioResult<{ messages: ListedMessage[]; complete: boolean }>>;
}

export interface TwilioClientOptions {
  baseUrl: string;
  /** The Messaging API's base (https://messaging.twilio.com). */
  messagingBaseUrl?: string;
  accountSid: string;
  authToken: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class TwilioClient implements MessagesApi {
  readonly #opts: Required<Omit<TwilioClientOptions, "fetch">> & { fetch: typeof fetch };

  constructor(opts: TwilioClientOptions) {
    this.#opts = { timeoutMs: 10_000, fetch: (...a) => fetch(...a), messagingBaseUrl: "https://messaging.twilio.com", ...opts, baseUrl: opts.baseUrl.replace(/\/+$/, "") };
  }

  #accountPath(path: string) {
    return `${this.#opts.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(this.#opts.accountSid)}${path}`;
  }

  /** `form` values that are arrays repeat their key, as Twilio takes MediaUrl. */
  async #request<S extends z.ZodType>(method: "GET" | "POST", url: string, answer: S, form?: Record<string, string | string[]>): Promise<TwilioResult<z.output<S>>> {
    const headers: Record<string, string> = {
      authorization: `Basic ${btoa(`${this.#opts.accountSid}:${this.#opts.authToken}`)}`,
      accept: "application/json",
    };
    let body: string | undefined;
    if (form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(Object.entries(form).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))).toString();
    }
    let res: Response;
    try {
      res = await this.#opts.fetch(url, { method, headers, body, signal: AbortSignal.timeout(this.#opts.timeoutMs) });
    } catch (err) {
      const name = (err as Error)?.name;
      if (name === "TimeoutError" || name === "AbortError") return { ok: false, error: { kind: "timeout", message: `Twilio did not answer within ${this.#opts.timeoutMs} ms` } };
      return { ok: false, error: { kind: "network", message: `Twilio could not be reached: ${(err as Error)?.message ?? String(err)}` } };
    }
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.ok) {
      const what = `Twilio answered ${method} ${new URL(url).pathname.replace(/^.*\/Accounts\/[^/]+/, "")}`;
      if (json === undefined) return { ok: false, error: { kind: "unexpected", status: res.status, message: `${what} with a body that is not JSON` } };
      const parsed = answer.safeParse(json);
      if (!parsed.success) return { ok: false, error: { kind: "unexpected", status: res.status, message: `${what} with a body textgate does not understand (${answerProblem(parsed.error)})` } };
      return { ok: true, value: parsed.data };
    }
    const refusal = ErrorAnswer.safeParse(json);
    const { code, more_info } = refusal.success ? refusal.data : {};
    const message = (refusal.success && refusal.data.message) || `HTTP ${res.status}`;
    if (res.status === 401 || code === 20003) return { ok: false, error: { kind: "auth", status: res.status, code, message } };
    if (res.status === 429) return { ok: false, error: { kind: "rate_limited", status: res.status, code, message } };
    if (res.status >= 500) return { ok: false, error: { kind: "server", status: res.status, code, message } };
    return { ok: false, error: { kind: "client", status: res.status, code, message, more_info } };
  }

  async findIncomingNumber(phoneNumber: string): Promise<TwilioResult<IncomingNumber | null>> {
    const url = this.#accountPath(`/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(phoneNumber)}`);
    const res = await this.#request("GET", url, IncomingNumberPage);
    if (!res.ok) return res;
    const match = res.value.incoming_phone_numbers.find((n) => n.phone_number === phoneNumber) ?? null;
    return { ok: true, value: match };
  }

  /** One number by its SID (PN…): what Twilio does with its texts now, whoever changed it last. */
  getIncomingNumber(sid: string): Promise<TwilioResult<IncomingNumber>> {
    return this.#request("GET", this.#accountPath(`/IncomingPhoneNumbers/${encodeURIComponent(sid)}.json`), IncomingNumberAnswer);
  }

  /** `SmsApplicationSid: ""` detaches a TwiML App, which would otherwise take the number's texts over the SmsUrl. */
  updateIncomingNumber(sid: string, params: { SmsUrl: string; SmsMethod?: "POST" | "GET"; SmsApplicationSid?: "" }): Promise<TwilioResult<IncomingNumber>> {
    const form: Record<string, string> = { SmsUrl: params.SmsUrl };
    if (params.SmsMethod) form.SmsMethod = params.SmsMethod;
    if (params.SmsApplicationSid !== undefined) form.SmsApplicationSid = params.SmsApplicationSid;
    return this.#request("POST", this.#accountPath(`/IncomingPhoneNumbers/${encodeURIComponent(sid)}.json`), IncomingNumberAnswer, form);
  }

  /**
   * Outbound messages From → To created at or after `createdSince`, newest first, walking Twilio's pages
   * (next_page_uri). Filtered by To (and From, unless the reply went through a Messaging Service) only: Twilio's DateSent filters match the day a message was *sent*,
   * and a message still queued has no date_sent, so they could hide exactly the message being looked for.
   * `complete` is false when the walk stopped (page limit) before reaching messages older than the window.
   */
  async listRecentMessages(params: { To: string; From?: string; createdSince: number; maxPages?: number }): Promise<TwilioResult<{ messages: ListedMessage[]; complete: boolean }>> {
    const q = new URLSearchParams({ To: params.To, ...(params.From ? { From: params.From } : {}), PageSize: "100" });
    let url: string | null = this.#accountPath(`/Messages.json?${q}`);
    const found: ListedMessage[] = [];
    for (let page = 0; url && page < (params.maxPages ?? 5); page++) {
      const res: TwilioResult<z.output<typeof MessagePage>> = await this.#request("GET", url, MessagePage);
      if (!res.ok) return res;
      let older = false;
      for (const m of res.value.messages) {
        const created = Date.parse(m.date_created);
        if (!Number.isFinite(created)) return { ok: false, error: { kind: "unexpected", status: 200, message: `Twilio answered a message list with an unreadable date_created ${m.date_created}` } };
        // Pages are newest first; a margin covers messages listed slightly out of creation order.
        if (created < params.createdSince - LIST_ORDER_MARGIN_MS) older = true;
        if (created >= params.createdSince && m.direction.startsWith("outbound")) found.push({ ...m, created });
      }
      if (older || !res.value.next_page_uri) return { ok: true, value: { messages: found, complete: true } };
      url = `${this.#opts.baseUrl}${res.value.next_page_uri}`;
    }
    return { ok: true, value: { messages: found, complete: false } };
  }

  sendMessage(params: SendParams): Promise<TwilioResult<TwilioMessage>> {
    const form: Record<string, string | string[]> = params.MessagingServiceSid ? { To: params.To, MessagingServiceSid: params.MessagingServiceSid, Body: params.Body } : { To: params.To, From: params.From!, Body: params.Body };
    if (params.StatusCallback) form.StatusCallback = params.StatusCallback;
    if (params.MediaUrl?.length) form.MediaUrl = params.MediaUrl;
    return this.#request("POST", this.#accountPath("/Messages.json"), MessageAnswer, form);
  }

  /** GET /v1/Services/{Sid} on the Messaging API; a 404 means the account has no such service. */
  getMessagingService(sid: string): Promise<TwilioResult<MessagingService>> {
    return this.#request("GET", `${this.#opts.messagingBaseUrl.replace(/\/+$/, "")}/v1/Services/${encodeURIComponent(sid)}`, MessagingServiceAnswer);
  }
}
