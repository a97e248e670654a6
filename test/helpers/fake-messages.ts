// An in-memory Twilio Messages API for the ledger's unit tests: a clock of its own (which may run behind or
// ahead of ours), one scripted fault per call, and every accepted message kept so a test can count them.
import type { ListedMessage, MessagesApi, SendParams, TwilioMessage, TwilioResult } from "../../src/domain/twilio/rest";

/** What one call does: faults Twilio really produces, including accepting a message and then failing. */
export type SendFault = "ok" | "timeout_then_late_accept" | "accept_then_504" | "accept_then_reset" | "accept_then_timeout" | "accept_then_429" | "503" | "429" | "reset" | "timeout" | "400";
export type ListFault = "ok" | "503" | "timeout";

export class FakeMessages implements MessagesApi {
  readonly accepted: (ListedMessage & { statusCallback: string | null; visibleAt?: number })[] = [];
  /** What every send asked for, accepted or not. */
  readonly sent: SendParams[] = [];
  sendFaults: SendFault[] = [];
  listFaults: ListFault[] = [];
  sends = 0;
  lists = 0;
  #seq = 0;

  constructor(
    /** Twilio's clock (ms). */
    readonly clock: () => number,
    /** Messaging Services and their Sender Pools: a send naming one goes out from its first number. */
    readonly services: Record<string, string[]> = {},
  ) {}

  /** A message someone sent earlier, dated on Twilio's clock. */
  seed(m: { to: string; from: string; body: string; createdAt: number; serviceSid?: string }): string {
    const sid = this.#sid();
    this.accepted.push({ sid, to: m.to, from: m.from, body: m.body, status: "delivered", direction: "outbound-api", date_created: new Date(m.createdAt).toUTCString(), created: m.createdAt, error_code: null, messaging_service_sid: m.serviceSid ?? null, statusCallback: null });
    return sid;
  }

  async sendMessage(p: SendParams): Promise<TwilioResult<TwilioMessage>> {
    this.sends++;
    this.sent.push(p);
    const service = p.MessagingServiceSid ?? null;
    const from = service ? this.services[service]?.[0] : p.From;
    if (!from) return { ok: false, error: { kind: "client", status: 400, code: 21704, message: "The Messaging Service contains no senders." } };
    const fault = this.sendFaults.shift() ?? "ok";
    if (fault === "503") return { ok: false, error: { kind: "server", status: 503, code: 20503, message: "Service Unavailable" } };
    if (fault === "429") return { ok: false, error: { kind: "rate_limited", status: 429, code: 20429, message: "Too Many Requests" } };
    if (fault === "400") return { ok: false, error: { kind: "client", status: 400, code: 21610, message: "Attempt to send to unsubscribed recipient" } };
    if (fault === "reset") return { ok: false, error: { kind: "network", message: "Network connection lost." } };
    if (fault === "timeout") return { ok: false, error: { kind: "timeout", message: "Twilio did not answer within 10000 ms" } };
    const now = this.clock();
    const m = {
      sid: this.#sid(),
      to: p.To,
      from,
      body: p.Body,
      status: "queued",
      direction: "outbound-api",
      date_created: new Date(now).toUTCString(),
      created: Math.floor(now / 1000) * 1000,
      error_code: null,
      messaging_service_sid: service,
      statusCallback: p.StatusCallback ?? null,
    };
    // Twilio still working on a request whose caller gave up: the message shows up seconds later.
    this.accepted.push(fault === "timeout_then_late_accept" ? { ...m, visibleAt: now + 8_000 } : m);
    if (fault === "timeout_then_late_accept") return { ok: false, error: { kind: "timeout", message: "Twilio did not answer within 10000 ms" } };
    if (fault === "accept_then_504") return { ok: false, error: { kind: "server", status: 504, code: 20504, message: "Gateway Timeout" } };
    if (fault === "accept_then_429") return { ok: false, error: { kind: "rate_limited", status: 429, message: "Too Many Requests" } };
    if (fault === "accept_then_reset") return { ok: false, error: { kind: "network", message: "Network connection lost." } };
    if (fault === "accept_then_timeout") return { ok: false, error: { kind: "timeout", message: "Twilio did not answer within 10000 ms" } };
    return { ok: true, value: { sid: m.sid, status: "queued", from, error_code: null, error_message: null } };
  }

  async listRecentMessages(p: { To: string; From?: string; createdSince: number }): Promise<TwilioResult<{ messages: ListedMessage[]; complete: boolean }>> {
    this.lists++;
    const fault = this.listFaults.shift() ?? "ok";
    if (fault === "503") return { ok: false, error: { kind: "server", status: 503, message: "Service Unavailable" } };
    if (fault === "timeout") return { ok: false, error: { kind: "timeout", message: "Twilio did not answer" } };
    // Like Twilio's list: To/From filtered, newest first; the creation window is the caller's to apply.
    const now = this.clock();
    const messages = this.accepted.filter((m) => m.to === p.To && (!p.From || m.from === p.From) && (m.visibleAt ?? 0) <= now).reverse();
    return { ok: true, value: { messages, complete: true } };
  }

  #sid() {
    return `SM${(++this.#seq).toString(16).padStart(32, "0")}`;
  }
}
