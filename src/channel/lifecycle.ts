// A channel's life in its object: created (token sealed, number claimed and registered), changed (a new number or
// credentials register again and let go of the old number), paired, disconnected and deleted. Deletion fences the
// object first, so work in flight ends as `channel_removed` instead of writing into storage that is going away.
import { deleteChannelRows, getChannel, removePaired } from "../db/channels";
import { channelWithNumber, insertChannelIfNumberFree } from "../db/numbers";
import type { ChannelRow } from "../db/schema";
import { newPairingCode } from "../domain/pairing/pairing";
import { required } from "../lib/config";
import { seal } from "../lib/crypto";
import { fail, ok, type Result } from "../lib/result";
import type { HealthDesk } from "./health";
import type { LiveEvents } from "./live-events";
import type { LocalStore } from "./local-store";
import type { MediaDesk } from "./media-desk";
import { numberInUse, releaseNumber } from "./number-claim";
import type { RemovalFence } from "./removal";
import type { ResumeOutbox } from "./resume-outbox";
import { hubStub } from "./signal-router";
import type { ChannelState } from "./state";
import type { ChannelView } from "./view";
import type { WatchDesk } from "./watch-desk";

export interface ChannelSetup {
  id: string;
  spaceId: string;
  agentId: string;
  accountSid: string;
  authToken: string;
  fromNumber: string;
  messagingServiceSid?: string | null;
  dispatchMode: "message" | "signal";
}

export type ChannelPatch = { agentId?: string; dispatchMode?: "message" | "signal"; accountSid?: string; authToken?: string; fromNumber?: string; messagingServiceSid?: string | null };
type SmsUrlLeft = { sms_url_left?: { found: string; message: string } };

export const notFound = () => fail(404, "not_found", "channel not found");

export interface LifecycleDeps {
  env: Env;
  storage: DurableObjectStorage;
  state: ChannelState;
  local: LocalStore;
  health: HealthDesk;
  fence: RemovalFence;
  watches: WatchDesk;
  resumes: ResumeOutbox;
  media: MediaDesk;
  events: LiveEvents;
}

export class ChannelLifecycle {
  readonly #d: LifecycleDeps;

  constructor(deps: LifecycleDeps) {
    this.#d = deps;
  }

  /** Creates the channel row (token sealed) and registers the number with Twilio. */
  async setup(input: ChannelSetup, handle: string): Promise<Result<ChannelView>> {
    const { env, state, events } = this.#d;
    const now = Date.now();
    const row: ChannelRow = {
      id: input.id,
      spaceId: input.spaceId,
      agentId: input.agentId,
      provider: "twilio_sms",
      handle,
      dispatchMode: input.dispatchMode,
      status: "registering",
      errorCode: null,
      errorMessage: null,
      accountSid: input.accountSid,
      authTokenSealed: await seal(required(env, "ENCRYPTION_KEY"), input.authToken, input.id),
      fromNumber: input.fromNumber,
      numberSid: null,
      messagingServiceSid: input.messagingServiceSid ?? null,
      pairingCode: null,
      pairingExpiresAt: null,
      createdAt: now,
      updatedAt: now,
    };
    // The number is claimed by the insert itself, so of two channels created for it at once only one gets it.
    const inserted = (await insertChannelIfNumberFree(state.db, row)) ? await getChannel(state.db, row.id) : undefined;
    if (!inserted) {
      if (await channelWithNumber(state.db, row.accountSid, row.fromNumber)) return numberInUse(state, row.accountSid, row.fromNumber, row.id);
      return fail(409, "conflict", `handle ${handle} is taken`, { field: "handle" });
    }
    state.adopt(inserted, input.authToken);
    await state.register();
    return events.changed();
  }

  /** Runs the Twilio registration again (after a failure, or after credentials changed). */
  async connectTwilio(channelId: string): Promise<Result<ChannelView>> {
    const { state, health, events } = this.#d;
    if (!(await state.load(channelId))) return notFound();
    await health.changing(() => state.register());
    return events.changed();
  }

  /** Agent, dispatch mode and Twilio settings. New credentials, number or Messaging Service re-run the registration. */
  async update(channelId: string, patch: ChannelPatch): Promise<Result<ChannelView>> {
    const { env, state, health, events } = this.#d;
    const row = await state.load(channelId);
    if (!row) return notFound();
    const next: Partial<ChannelRow> = {};
    if (patch.agentId) next.agentId = patch.agentId;
    if (patch.dispatchMode) next.dispatchMode = patch.dispatchMode;
    if (patch.accountSid) next.accountSid = patch.accountSid;
    if (patch.fromNumber) next.fromNumber = patch.fromNumber;
    if (patch.authToken !== undefined) next.authTokenSealed = await seal(required(env, "ENCRYPTION_KEY"), patch.authToken, channelId);
    // The same service written in another case is no change (and no new registration).
    const service = patch.messagingServiceSid !== undefined && patch.messagingServiceSid?.toLowerCase() !== row.messagingServiceSid?.toLowerCase();
    if (service) next.messagingServiceSid = patch.messagingServiceSid;
    const moves = (patch.accountSid && patch.accountSid !== row.accountSid) || (patch.fromNumber && patch.fromNumber !== row.fromNumber);
    const reRegister = moves || patch.authToken !== undefined || service;
    if (moves) {
      // The number registered so far is not the new one: until registration succeeds, the channel has none.
      next.numberSid = null;
      const moved = await state.updateClaimingNumber(next);
      if (!moved) return numberInUse(state, next.accountSid ?? row.accountSid, next.fromNumber ?? row.fromNumber, channelId);
      state.adopt(moved, patch.authToken);
    } else if (Object.keys(next).length) state.adopt(await state.update(next), patch.authToken);
    // The number left behind (same account: the new credentials can read it) no longer sends its texts here.
    const left = moves && row.numberSid && row.accountSid.toLowerCase() === state.row.accountSid.toLowerCase() ? row.numberSid : null;
    if (reRegister) await health.changing(() => state.register());
    if (left && left !== state.row.numberSid) await releaseNumber(state, left);
    return events.changed();
  }

  async newPairing(channelId: string): Promise<Result<{ code: string; expires_at: string }>> {
    const { state, local, events } = this.#d;
    const row = await state.load(channelId);
    if (!row) return notFound();
    if (row.status === "failed" || row.status === "registering") {
      return fail(409, "channel_not_ready", `The channel is ${row.status}; connect it to Twilio before pairing a phone.`);
    }
    const code = newPairingCode(Date.now());
    local.clearTries();
    const status = row.status === "disconnected" ? (state.paired.size ? "connected" : "pairing") : row.status;
    await state.update({ pairingCode: code.code, pairingExpiresAt: code.expiresAt, status });
    await events.channel();
    return ok({ code: code.code, expires_at: new Date(code.expiresAt).toISOString() });
  }

  /** Forgets a paired phone; when it was the last, the channel goes back to pairing with a fresh code. */
  async unpair(channelId: string, address: string): Promise<Result<ChannelView>> {
    const { state, events } = this.#d;
    const row = await state.load(channelId);
    if (!row) return notFound();
    if (!(await removePaired(state.db, channelId, address))) return fail(404, "not_found", `${address} is not a paired address of this channel`);
    state.paired.delete(address);
    if (state.paired.size === 0 && row.status === "connected") {
      const code = newPairingCode(Date.now());
      await state.update({ status: "pairing", pairingCode: code.code, pairingExpiresAt: code.expiresAt });
    }
    return events.changed();
  }

  /**
   * Stops Twilio from sending to this deployment (clears the SmsUrl we set, if it still points here) and marks the
   * channel disconnected. `sms_url_left` says when the SmsUrl pointed elsewhere and was left alone.
   */
  async disconnect(channelId: string): Promise<Result<ChannelView & SmsUrlLeft>> {
    const { state, health, events } = this.#d;
    if (!(await state.load(channelId))) return notFound();
    const released = await health.changing(async () => {
      const released = await releaseNumber(state);
      const unreachable = released.status === "unreachable";
      await state.update({
        status: "disconnected",
        pairingCode: null,
        pairingExpiresAt: null,
        errorCode: unreachable ? "sms_url_not_cleared" : null,
        errorMessage: unreachable ? "Twilio could not be reached to clear the number's SMS URL; clear it in the Twilio console." : null,
      });
      return released;
    });
    const view = await events.changed();
    if (!view.ok || released.status !== "left_alone") return view;
    return ok({ ...view.value, sms_url_left: { found: released.found, message: released.message } });
  }

  /**
   * Deletes the channel: clears the SmsUrl when it still points here, then removes its rows and this object's storage.
   * Work in flight (a reply waiting on Twilio, a turn starting) is not waited for: the fence goes up first, and that
   * work ends as `channel_removed` without writing anything more.
   */
  async remove(channelId: string): Promise<Result<{ sms_url_cleared: boolean } & SmsUrlLeft>> {
    const { env, storage, state, fence, watches, resumes, media } = this.#d;
    if (!(await state.load(channelId))) return notFound();
    fence.mark(channelId, Date.now());
    const released = await releaseNumber(state);
    // Waiters (long-polls, WebSockets) learn now that their watch is over, before its storage goes.
    const now = Date.now();
    for (const w of watches.store.waiting()) watches.settle(w.id, "cancelled", null, now);
    // Conversations those watches resume are told by the hub, which outlives this object's storage.
    const pending = resumes.pending();
    if (pending.length) await hubStub(env).adoptResumes(pending);
    // The bytes first: once the records are gone, nothing would say which objects were this channel's.
    await media.removeAll(channelId);
    await deleteChannelRows(state.db, channelId);
    await storage.deleteAlarm();
    await storage.deleteAll();
    state.forget();
    if (released.status === "left_alone") return ok({ sms_url_cleared: false, sms_url_left: { found: released.found, message: released.message } });
    return ok({ sms_url_cleared: released.status === "cleared" });
  }
}
