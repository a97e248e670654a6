// What a channel object knows about its channel between requests: the D1 row, the decrypted Twilio token, the
// paired addresses and the agent's handle, each loaded once and kept in step by the object's own writes (it is
// the only writer). Also the Twilio-facing steps that need them: signature checks and number registration.
import { finishPairing, getChannel, listPaired, updateChannel } from "../db/channels";
import type { Db } from "../db/client";
import { updateIfNumberFree } from "../db/numbers";
import { currentPolicy, hubWaitUntil } from "../db/policies";
import type { ChannelRow } from "../db/schema";
import { getAgent } from "../db/turns";
import { newPairingCode } from "../domain/pairing/pairing";
import { getPolicyEngine, type DecisionQuery } from "../domain/policy";
import { TwilioClient } from "../domain/twilio/rest";
import { registerNumber, type RegistrationResult } from "../domain/twilio/registration";
import { validateTwilioSignature, type FormParams } from "../domain/twilio/signature";
import type { SeenRequest } from "../domain/twilio/signature-diagnosis";
import { externalUrl, required, twilioApiBase, twilioMessagingApiBase } from "../lib/config";
import { unseal } from "../lib/crypto";
import { GroupCommit } from "../lib/group-commit";
import type { LocalStore } from "./local-store";
import { ChannelRemoved } from "./removal";
import type { PolicyInForce, SignalFacts } from "./signal-access";
import { toChannelView, webhookUrl, type ChannelView } from "./view";

export interface SignedRequest {
  /** The query string as received ("" or "?a=b"): Twilio signs the full URL it called. */
  query: string;
  signature: string | null;
  body: string;
  /** What the route saw of the request: used only to explain a signature that did not match, never to verify one. */
  seen?: SeenRequest;
}

/**
 * How long the policy in force and the hub hint are trusted without asking D1. Changes are pushed to every channel
 * object as they happen (policyChanged, hubInterest); this only bounds how long a missed push could matter.
 */
const CACHE_MS = 60_000;

export class ChannelState {
  readonly env: Env;
  readonly db: Db;
  /** The inbound path's D1 writes: messages arriving together are written in one batch (one transaction each). */
  readonly writes: GroupCommit<D1PreparedStatement>;
  readonly #local: LocalStore;
  #row: ChannelRow | null | undefined;
  /** Row writes issued so far, and which one the cached row came from (see #written). */
  #writesIssued = 0;
  #rowWrite = 0;
  #token: string | undefined;
  #agent: { id: string; handle: string } | undefined;
  #policy: { version: number; text: string; at: number } | undefined;
  #hub: { until: number; at: number } | undefined;
  paired = new Set<string>();
  /** The load under way, shared by every request that arrives before it is done. */
  #loading: { id: string; done: Promise<ChannelRow | null> } | undefined;
  #generation = 0;
  /** Set by forget(): the channel was deleted, so work still holding on to it ends as channel_removed. */
  #gone = false;
  /** Told when the channel is first loaded into this object (the object starts its timed work then). */
  onLoaded: (row: ChannelRow) => void = () => {};

  constructor(env: Env, db: Db, local: LocalStore) {
    this.env = env;
    this.db = db;
    this.writes = new GroupCommit((items) => env.DB.batch(items));
    this.#local = local;
  }

  /**
   * The channel's row, loaded on first use (null: no such channel). Concurrent first requests share one load, and
   * the row and its paired addresses are published together: no request sees the channel without its paired set.
   */
  async load(channelId: string): Promise<ChannelRow | null> {
    if (this.#row && this.#row.id === channelId) return this.#row;
    if (this.#loading?.id !== channelId) {
      const generation = ++this.#generation;
      const done = this.#fetch(channelId, generation);
      this.#loading = { id: channelId, done };
      // A failed load is forgotten, so the next request tries again.
      done.catch(() => {
        if (this.#generation === generation) this.#loading = undefined;
      });
    }
    return this.#loading.done;
  }

  async #fetch(channelId: string, generation: number): Promise<ChannelRow | null> {
    const [row, paired] = await Promise.all([getChannel(this.db, channelId), listPaired(this.db, channelId)]);
    // Superseded meanwhile (adopt, forget, another channel's load): the newer state stands.
    if (generation !== this.#generation) return this.#row?.id === channelId ? this.#row : (row ?? null);
    this.#loading = undefined;
    this.#row = row ?? null;
    this.#token = undefined;
    this.paired = new Set(row ? paired.map((p) => p.address) : []);
    if (row) this.onLoaded(row);
    return this.#row;
  }

  /** The channel's row if it is loaded here (null in the hub, or before the first load). */
  get current(): ChannelRow | null {
    return this.#row ?? null;
  }

  get row(): ChannelRow {
    if (!this.#row) throw this.#gone ? new ChannelRemoved() : new Error("channel state used before load");
    return this.#row;
  }

  adopt(row: ChannelRow, token?: string) {
    this.#supersede();
    const first = this.#row?.id !== row.id;
    this.#row = row;
    if (first) this.onLoaded(row);
    if (token !== undefined) this.#token = token;
  }

  forget() {
    this.#supersede();
    this.#gone = true;
    this.#row = undefined;
    this.#token = undefined;
    this.paired = new Set();
  }

  /** A load still under way must not overwrite what was set since it started. */
  #supersede() {
    this.#generation++;
    this.#loading = undefined;
  }

  async update(patch: Partial<ChannelRow>): Promise<ChannelRow> {
    return this.#written(updateChannel(this.db, this.row.id, patch));
  }

  /** Like update, for a patch that moves the channel to another number: null when another channel has that number. */
  async updateClaimingNumber(patch: Partial<ChannelRow>): Promise<ChannelRow | null> {
    const accountSid = patch.accountSid ?? this.row.accountSid;
    const fromNumber = patch.fromNumber ?? this.row.fromNumber;
    const row = await updateIfNumberFree(this.db, this.row.id, patch, accountSid, fromNumber);
    return row ? this.#written(Promise.resolve(row)) : null;
  }

  /** A phone paired with `code`: connected, and the code used up unless a newer one was requested meanwhile. */
  async finishPairing(code: string): Promise<ChannelRow> {
    return this.#written(finishPairing(this.db, this.row.id, code));
  }

  /**
   * Writes to the row can overlap (a pairing finishing while a new code is requested); D1 applies them in the
   * order they were sent, so the cache keeps the row returned by the latest one sent, whichever answer comes last.
   */
  async #written(write: Promise<ChannelRow | undefined>): Promise<ChannelRow> {
    const id = this.row.id;
    const seq = ++this.#writesIssued;
    const row = await write;
    if (!row) throw new Error(`channel ${id} vanished`);
    if (seq > this.#rowWrite) {
      this.#rowWrite = seq;
      this.#row = row;
    }
    return row;
  }

  async token(): Promise<string> {
    this.#token ??= await unseal(required(this.env, "ENCRYPTION_KEY"), this.row.authTokenSealed, this.row.id);
    return this.#token;
  }

  async client(): Promise<TwilioClient> {
    return new TwilioClient({ baseUrl: twilioApiBase(this.env), messagingBaseUrl: twilioMessagingApiBase(this.env), accountSid: this.row.accountSid, authToken: await this.token() });
  }

  webhookUrl(): string | null {
    const ext = externalUrl(this.env);
    return ext.ok ? webhookUrl(ext.url, this.row.id) : null;
  }

  async view(): Promise<ChannelView> {
    const ext = externalUrl(this.env);
    return toChannelView(this.row, await listPaired(this.db, this.row.id), ext.ok ? ext.url : null);
  }

  /** Checks X-Twilio-Signature against the URL we registered (SERVER_EXTERNAL_URL based), not the Host header. */
  async verify(req: SignedRequest, suffix: "" | "/status", params: FormParams): Promise<boolean> {
    const hook = this.webhookUrl();
    if (!hook || !req.signature) return false;
    return validateTwilioSignature(await this.token(), req.signature, hook + suffix + req.query, params);
  }

  /** Points the number's SmsUrl here; the channel becomes pairing (or connected), or failed with the reason. */
  async register(): Promise<void> {
    const ext = externalUrl(this.env);
    const result: RegistrationResult = ext.ok
      ? await registerNumber(await this.client(), {
          accountSid: this.row.accountSid,
          fromNumber: this.row.fromNumber,
          smsUrl: webhookUrl(ext.url, this.row.id)!,
          messagingServiceSid: this.row.messagingServiceSid,
        })
      : { ok: false, error: { code: "invalid_external_url", message: ext.reason } };
    if (!result.ok) {
      await this.update({ status: "failed", errorCode: result.error.code, errorMessage: result.error.message });
      return;
    }
    const code = this.paired.size ? null : newPairingCode(Date.now());
    if (code) this.#local.clearTries();
    await this.update({
      status: code ? "pairing" : "connected",
      numberSid: result.numberSid,
      errorCode: null,
      errorMessage: null,
      ...(code ? { pairingCode: code.code, pairingExpiresAt: code.expiresAt } : {}),
    });
  }

  /** The Cedar question for one sender, asked of the policy version in force now. */
  async policyQuery(action: DecisionQuery["action"], sender: string, paired: boolean) {
    const [policy, agent] = await Promise.all([this.#currentPolicy(), this.#agentHandle()]);
    const q: DecisionQuery = { agent, action, channel: this.row.handle, sender: { address: sender, paired }, pairedAddresses: [...this.paired] };
    return { version: policy.version, engine: getPolicyEngine(policy.text, String(policy.version)), q };
  }

  /** The policy version in force and its engine (works in the hub too, which has no channel row). */
  async policy(): Promise<PolicyInForce> {
    const p = await this.#currentPolicy();
    return { version: p.version, engine: getPolicyEngine(p.text, String(p.version)) };
  }

  /** Like policy(), but never older than `version`: another object decided by it, so it is in D1 already. */
  async policyAtLeast(version: number): Promise<PolicyInForce> {
    if (this.#policy && this.#policy.version < version) this.#policy = undefined;
    return this.policy();
  }

  /** The channel's side of `receive_signal` for a message from `sender`, as things stand now. */
  signalFacts(sender: string): SignalFacts {
    return { channel: this.row.handle, sender: { address: sender, paired: this.paired.has(sender) }, pairedAddresses: [...this.paired] };
  }

  async #currentPolicy() {
    if (!this.#policy || Date.now() - this.#policy.at > CACHE_MS) this.#policy = { ...(await currentPolicy(this.db)), at: Date.now() };
    return this.#policy;
  }

  /** A new policy version was saved: the next message is decided by it. */
  policyChanged(p: { version: number; text: string }) {
    if (!this.#policy || p.version >= this.#policy.version) this.#policy = { ...p, at: Date.now() };
  }

  /** Whether a watch on "any signal-mode channel" may be waiting now, so signals must be offered to the hub. */
  async hubMayWait(now: number): Promise<boolean> {
    if (!this.#hub || now - this.#hub.at > CACHE_MS) this.#hub = { until: await hubWaitUntil(this.db), at: now };
    return this.#hub.until > now;
  }

  hubInterest(until: number) {
    this.#hub = { until: Math.max(this.#hub?.until ?? 0, until), at: this.#hub?.at ?? 0 };
  }

  async #agentHandle(): Promise<string> {
    if (this.#agent?.id !== this.row.agentId) {
      const agent = await getAgent(this.db, this.row.agentId);
      this.#agent = { id: this.row.agentId, handle: agent?.handle ?? this.row.agentId };
    }
    return this.#agent.handle;
  }
}
