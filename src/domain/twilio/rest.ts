// A small client for the parts of Twilio's REST API textgate uses (IncomingPhoneNumbers, Messages). Plain fetch
// with Basic auth against a configurable base URL, so tests and local runs talk to a fake. Expected failures come
// back as a tagged union classified by what the caller should do: fix credentials, give up, or retry later.

export type TwilioFailure =
  | { kind: "auth"; status: number; code?: number; message: string }
  | { kind: "client"; status: number; code?: number; message: string; more_info?: string }
  | { kind: "rate_limited" | "server"; status: number; code?: number; message: string }
  | { kind: "network" | "timeout"; message: string };

export type TwilioResult<T> = { ok: true; value: T } | { ok: false; error: TwilioFailure };

export interface IncomingNumber {
  sid: string;
  phone_number: string;
  capabilities: { sms?: boolean; mms?: boolean; voice?: boolean };
  sms_url: string | null;
  sms_method: string | null;
}

export interface TwilioMessage {
  sid: string;
  status: string;
  error_code: number | null;
  error_message: string | null;
  num_segments?: string;
}

export interface TwilioClientOptions {
  baseUrl: string;
  accountSid: string;
  authToken: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Whether a failure may succeed if the same request is sent again later. */
export const isRetryable = (e: TwilioFailure) => e.kind === "server" || e.kind === "rate_limited" || e.kind === "network" || e.kind === "timeout";

export class TwilioClient {
  readonly #opts: Required<Omit<TwilioClientOptions, "fetch">> & { fetch: typeof fetch };

  constructor(opts: TwilioClientOptions) {
    this.#opts = { timeoutMs: 10_000, fetch: (...a) => fetch(...a), ...opts, baseUrl: opts.baseUrl.replace(/\/+$/, "") };
  }

  #accountPath(path: string) {
    return `${this.#opts.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(this.#opts.accountSid)}${path}`;
  }

  async #request<T>(method: "GET" | "POST", url: string, form?: Record<string, string>): Promise<TwilioResult<T>> {
    const headers: Record<string, string> = {
      authorization: `Basic ${btoa(`${this.#opts.accountSid}:${this.#opts.authToken}`)}`,
      accept: "application/json",
    };
    let body: string | undefined;
    if (form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(form).toString();
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
    let json: any = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.ok) {
      if (json === undefined) return { ok: false, error: { kind: "server", status: res.status, message: "Twilio answered with a body that is not JSON" } };
      return { ok: true, value: json as T };
    }
    const code = typeof json?.code === "number" ? json.code : undefined;
    const message = typeof json?.message === "string" ? json.message : `HTTP ${res.status}`;
    if (res.status === 401 || code === 20003) return { ok: false, error: { kind: "auth", status: res.status, code, message } };
    if (res.status === 429) return { ok: false, error: { kind: "rate_limited", status: res.status, code, message } };
    if (res.status >= 500) return { ok: false, error: { kind: "server", status: res.status, code, message } };
    return { ok: false, error: { kind: "client", status: res.status, code, message, more_info: json?.more_info } };
  }

  async findIncomingNumber(phoneNumber: string): Promise<TwilioResult<IncomingNumber | null>> {
    const url = this.#accountPath(`/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(phoneNumber)}`);
    const res = await this.#request<{ incoming_phone_numbers?: IncomingNumber[] }>("GET", url);
    if (!res.ok) return res;
    const match = (res.value.incoming_phone_numbers ?? []).find((n) => n.phone_number === phoneNumber) ?? null;
    return { ok: true, value: match };
  }

  updateIncomingNumber(sid: string, params: { SmsUrl: string; SmsMethod?: "POST" | "GET" }): Promise<TwilioResult<IncomingNumber>> {
    const form: Record<string, string> = { SmsUrl: params.SmsUrl };
    if (params.SmsMethod) form.SmsMethod = params.SmsMethod;
    return this.#request("POST", this.#accountPath(`/IncomingPhoneNumbers/${encodeURIComponent(sid)}.json`), form);
  }

  /** Messages sent From → To on or after `since` (a day boundary, as Twilio filters by DateSent). */
  async listMessages(params: { To: string; From: string; since: Date }): Promise<TwilioResult<(TwilioMessage & { body: string; to: string; from: string })[]>> {
    const day = params.since.toISOString().slice(0, 10);
    const q = new URLSearchParams({ To: params.To, From: params.From, "DateSent>": day, PageSize: "50" });
    const res = await this.#request<{ messages?: (TwilioMessage & { body: string; to: string; from: string })[] }>("GET", this.#accountPath(`/Messages.json?${q}`));
    return res.ok ? { ok: true, value: res.value.messages ?? [] } : res;
  }

  sendMessage(params: { To: string; From: string; Body: string; StatusCallback?: string }): Promise<TwilioResult<TwilioMessage>> {
    const form: Record<string, string> = { To: params.To, From: params.From, Body: params.Body };
    if (params.StatusCallback) form.StatusCallback = params.StatusCallback;
    return this.#request("POST", this.#accountPath("/Messages.json"), form);
  }
}
