// Twilio's webhooks as the channel object takes them: the signature (a refusal recorded with its likely cause for the
// diagnostics), the strict form, the check that the form names this channel's account and number, then the work —
// an inbound text (concurrent copies of one MessageSid share a single handling) or a status callback.
import { parseForm, type FormParams } from "../domain/twilio/signature";
import { diagnoseSignature } from "../domain/twilio/signature-diagnosis";
import { parseInboundForm, parseStatusForm } from "../domain/twilio/webhook-form";
import { clock } from "../lib/clock";
import type { HealthDesk } from "./health";
import type { InboundDesk, InboundOutcome } from "./inbound";
import type { LiveEvents } from "./live-events";
import { ChannelRemoved, unlessRemoved, type RemovalFence } from "./removal";
import type { ChannelState, SignedRequest } from "./state";
import type { TurnDesk } from "./turn-desk";

const unknownChannel: InboundOutcome = { status: "unknown_channel" };
const invalidWebhook = (why: { field: string; message: string }): InboundOutcome => ({ status: "invalid_webhook", field: why.field, message: why.message });

export interface WebhookDeps {
  state: ChannelState;
  inbound: InboundDesk;
  turns: TurnDesk;
  health: HealthDesk;
  fence: RemovalFence;
  events: LiveEvents;
}

export class WebhookDesk {
  readonly #d: WebhookDeps;
  readonly #inflight = new Map<string, Promise<InboundOutcome>>();

  constructor(deps: WebhookDeps) {
    this.#d = deps;
  }

  /** An inbound SMS webhook: signature, then the strict form, then durable dedupe by MessageSid, persist, handle. */
  receiveSms(channelId: string, req: SignedRequest): Promise<InboundOutcome> {
    return unlessRemoved(() => this.#receiveSms(channelId, req), unknownChannel);
  }

  /** A Twilio status callback for an outbound message. Signature and strict form checked like the SMS webhook. */
  receiveStatus(channelId: string, req: SignedRequest): Promise<InboundOutcome> {
    return unlessRemoved(() => this.#receiveStatus(channelId, req), unknownChannel);
  }

  async #receiveSms(channelId: string, req: SignedRequest): Promise<InboundOutcome> {
    const { state, fence, inbound, events } = this.#d;
    fence.check();
    if (!(await state.load(channelId))) return unknownChannel;
    const params = parseForm(req.body);
    if (!(await this.#verified(req, "", params))) return { status: "bad_signature" };
    const parsed = parseInboundForm(params);
    if (!parsed.ok) return invalidWebhook(parsed);
    const m = parsed.form;
    const foreign = this.#notForThisChannel(m);
    if (foreign) return foreign;

    // Concurrent copies of one webhook share a single handling; later copies find the row processed.
    const running = this.#inflight.get(m.sid);
    if (running) return running.then((r) => (r.status === "accepted" ? { ...r, duplicate: true } : r));
    const handling = inbound.handle({ sid: m.sid, from: m.from, to: m.to, body: m.body, numMedia: m.numMedia, media: m.media }).catch((err: unknown) => {
      if (err instanceof ChannelRemoved) throw err;
      // Logged once here; the copies sharing this handling answer the same. Thrown on, it would cross RPC as an error.
      console.error(`inbound ${m.sid} on channel ${channelId} stopped midway; Twilio's retry of the webhook redoes it:`, err);
      return { status: "failed_midway" } as const;
    });
    this.#inflight.set(m.sid, handling);
    try {
      const outcome = await handling;
      if (outcome.status === "accepted" && !outcome.duplicate) {
        await events.message(outcome.messageId);
        if (outcome.disposition === "pairing") await events.channel();
      }
      return outcome;
    } finally {
      this.#inflight.delete(m.sid);
    }
  }

  async #receiveStatus(channelId: string, req: SignedRequest): Promise<InboundOutcome> {
    const { state, fence, turns, events } = this.#d;
    fence.check();
    if (!(await state.load(channelId))) return unknownChannel;
    const params = parseForm(req.body);
    if (!(await this.#verified(req, "/status", params))) return { status: "bad_signature" };
    const parsed = parseStatusForm(params);
    if (!parsed.ok) return invalidWebhook(parsed);
    const foreign = this.#notForThisChannel(parsed.form);
    if (foreign) return foreign;
    const { sid, status, errorCode } = parsed.form;
    const updated = await turns.applyStatus(sid, status, errorCode);
    if (updated) await events.messageRow(updated);
    return { status: "accepted", messageId: updated?.id ?? sid, disposition: updated ? updated.status : "held", duplicate: false };
  }

  /** The signature check; a refusal is recorded with why it probably failed, for the channel's diagnostics. */
  async #verified(req: SignedRequest, suffix: "" | "/status", params: FormParams): Promise<boolean> {
    const { state, fence, health } = this.#d;
    const verified = await state.verify(req, suffix, params);
    fence.check();
    if (verified) {
      health.signatureVerified();
      return true;
    }
    const hook = state.webhookUrl();
    const seen = req.seen ?? { url: "", forwardedProto: null, forwardedHost: null, cfVisitor: null };
    const d = await diagnoseSignature({ authToken: await state.token(), signature: req.signature, params, expectedUrl: hook && hook + suffix + req.query, seen });
    fence.check();
    health.signatureFailed(d, clock.now());
    return false;
  }

  /**
   * A signed form naming another account or number was not sent for this channel, whatever its signature says. A
   * text to another number of the channel's Messaging Service is (the service may post all its numbers' texts here).
   */
  #notForThisChannel(form: { accountSid: string; to?: string; messagingServiceSid?: string | null }): InboundOutcome | null {
    const row = this.#d.state.row;
    // Twilio writes SIDs in lowercase hex; a channel configured with uppercase hex is still the same account.
    if (form.accountSid.toLowerCase() !== row.accountSid.toLowerCase()) return invalidWebhook({ field: "AccountSid", message: "AccountSid: is not this channel's Twilio account" });
    const viaService = !!form.messagingServiceSid && form.messagingServiceSid.toLowerCase() === row.messagingServiceSid?.toLowerCase();
    if (form.to !== undefined && form.to !== row.fromNumber && !viaService) return invalidWebhook({ field: "To", message: "To: is not this channel's number or a number of its Messaging Service" });
    return null;
  }
}
