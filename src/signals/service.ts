// Signal watches as a service for the HTTP API, the MCP endpoint and the await_signal agent tool: validates the
// request, checks who may touch which watch, and routes each watch to the object that holds it — its channel's
// object, or the hub for watches on "any signal-mode channel".
import { eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { channelStub } from "../channel/client";
import { MAX_WAIT_MS } from "../channel/watch-desk";
import { hubStub } from "../channel/signal-router";
import { channelExists } from "../db/channels";
import { createDb } from "../db/client";
import { currentPolicy } from "../db/policies";
import { agents, channels, watchIndex } from "../db/schema";
import { deleteWatchRow, insertWatchWithinLimits, markWatchSettled, pendingWatchesOfKey } from "../db/watches";
import { WatchRequest, isRecord, issuesOf, toWatchParams } from "../domain/signals";
import type { Conversation } from "../channel/watch-store";
import { newId } from "../lib/crypto";
import { AppError } from "../lib/errors";
import { unwrap } from "../lib/result";
import { refuseUnservable } from "./access";
import type { WatchView } from "./types";

/**
 * Who is asking: the admin (any agent's watches) or an agent (its watches only) — through one of its API keys
 * (`keyId`, which has its own limit on pending watches) or in its own turn (no key).
 */
export type Principal = { kind: "admin" } | { kind: "agent"; agentId: string; keyId?: string };

const DEFAULT_WATCH_LIMIT = 50;
const limitOf = (raw: string | undefined) => {
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_WATCH_LIMIT;
};

export { WatchRequest };
export type CheckedRequest = z.output<typeof WatchRequest>;

const where = (env: Env, channelId: string | null) => (channelId ? channelStub(env, channelId) : hubStub(env));
const invalid = (path: string, message: string) => new AppError(400, "validation_error", `${path}: ${message}`, { issues: [{ path, message }] });

/** Checks the request (all of it, every problem at once) and creates the watch; `conversation`: it resumes that one. */
export async function createWatch(env: Env, who: Principal, body: unknown, opts: { conversation?: Conversation } = {}): Promise<WatchView> {
  const parsed = WatchRequest.safeParse(body);
  if (!parsed.success) {
    const issues = isRecord(body) ? issuesOf(parsed.error) : [{ path: "", message: "expected an object" }];
    throw new AppError(400, "validation_error", issues.map((i) => `${i.path}: ${i.message}`).join("; "), { issues });
  }
  return createCheckedWatch(env, who, parsed.data, opts);
}

/** Creates a watch from a request the schema already passed (the REST route validates the body itself). */
export async function createCheckedWatch(env: Env, who: Principal, body: CheckedRequest, opts: { conversation?: Conversation } = {}): Promise<WatchView> {
  const agentId = who.kind === "agent" ? (body.agent_id ?? who.agentId) : body.agent_id;
  if (!agentId) throw invalid("agent_id", "required");
  if (who.kind === "agent" && agentId !== who.agentId) throw new AppError(403, "forbidden", "This API key can only create watches for its own agent.");
  const params = toWatchParams(body);
  const named = params.channelIds ?? (params.channelId ? [params.channelId] : []);
  const db = createDb(env.DB);
  const [agent, found, policy] = await Promise.all([
    db.select({ id: agents.id, handle: agents.handle }).from(agents).where(eq(agents.id, agentId)).get(),
    named.length ? db.select({ id: channels.id, handle: channels.handle, mode: channels.dispatchMode }).from(channels).where(inArray(channels.id, named)).all() : [],
    currentPolicy(db),
  ]);
  if (!agent) throw invalid("agent_id", `no agent ${agentId}`);
  const missing = named.filter((id) => !found.some((c) => c.id === id));
  if (missing.length) throw invalid(params.channelIds ? "channel_ids" : "channel_id", `no channel ${missing.join(", ")}`);
  // Several channels are watched from the hub, which only signal-mode channels offer their messages to.
  const messageMode = params.channelIds ? found.filter((c) => c.mode !== "signal") : [];
  if (messageMode.length) throw invalid("channel_ids", `${messageMode.map((c) => c.id).join(", ")} is in message mode; watch a message-mode channel alone, with channel_id`);
  await refuseUnservable(db, policy, { agent: agent.handle, channels: named.length ? found : null, from: params.from });

  const id = newId("wt");
  const channelId = params.channelId;
  const now = Date.now();
  const keyId = who.kind === "agent" ? (who.keyId ?? null) : null;
  const limits = { perAgent: limitOf(env.WATCH_LIMIT_PER_AGENT), perKey: limitOf(env.WATCH_LIMIT_PER_KEY) };
  const inserted = await insertWatchWithinLimits(env.DB, { id, agentId, keyId, channelId, createdAt: now, expiresAt: now + params.timeoutS * 1000 }, limits);
  if (!inserted.ok) throw tooManyWatches(inserted.limit, agent.handle, limits);

  // A watch its object never made (the channel vanished, the call failed) must not count against the limits.
  const created = await where(env, channelId)
    .createWatch({ id, agentId, agentHandle: agent.handle, channelId, params, conversation: opts.conversation ?? null })
    .catch(async (err: unknown) => {
      await deleteWatchRow(env.DB, id);
      throw err;
    });
  if (!created.ok) await deleteWatchRow(env.DB, id);
  const view = unwrap(created);
  // Matched by its lookback at once: it never counted as pending for long.
  if (view.status !== "waiting") await markWatchSettled(env.DB, id, Date.now());
  return view;
}

function tooManyWatches(limit: "agent" | "key", agent: string, limits: { perAgent: number; perKey: number }): AppError {
  const [who, n, setting] = limit === "agent" ? [`Agent "${agent}"`, limits.perAgent, "WATCH_LIMIT_PER_AGENT"] : ["This API key", limits.perKey, "WATCH_LIMIT_PER_KEY"];
  return new AppError(
    429,
    "too_many_watches",
    `${who} already has ${n} pending watches, the limit (${setting}). Cancel one you no longer need (DELETE /api/signals/watches/{id}), or wait for one to match or time out.`,
    { limit: n, scope: limit },
  );
}

async function locate(env: Env, who: Principal, id: string) {
  const row = await createDb(env.DB).select().from(watchIndex).where(eq(watchIndex.id, id)).get();
  // An agent key asking for another agent's watch learns nothing about it: the same 404 as a missing one.
  if (!row || (who.kind === "agent" && row.agentId !== who.agentId)) throw new AppError(404, "not_found", "watch not found");
  return where(env, row.channelId);
}

/** The watch; with `waitS`, a long-poll until it settles (or, for a continuous watch read from `after`, matches after it). */
export async function getWatch(env: Env, who: Principal, id: string, waitS = 0, after?: number): Promise<WatchView> {
  const view = await (await locate(env, who, id)).getWatch(id, Math.min(waitS * 1000, MAX_WAIT_MS), after);
  if (!view) throw new AppError(404, "not_found", "watch not found");
  return view;
}

export async function cancelWatch(env: Env, who: Principal, id: string): Promise<WatchView> {
  const view = await (await locate(env, who, id)).cancelWatch(id);
  if (!view) throw new AppError(404, "not_found", "watch not found");
  // The object marks it too, in the background; here it is done before the caller creates the next one.
  await markWatchSettled(env.DB, id, Date.now());
  return view;
}

/**
 * A revoked key's pending watches are cancelled: a WebSocket or long-poll opened while it was valid must not go on
 * receiving codes, and no code may go to a watch nobody is allowed to read any more.
 */
export async function cancelWatchesOfKey(env: Env, keyId: string): Promise<void> {
  const pending = await pendingWatchesOfKey(env.DB, keyId, Date.now());
  await Promise.all(
    pending.map(async (w) => {
      await where(env, w.channelId).cancelWatch(w.id);
      await markWatchSettled(env.DB, w.id, Date.now());
    }),
  );
}

export async function watchSocket(env: Env, who: Principal, id: string, request: Request): Promise<Response> {
  return (await locate(env, who, id)).fetch(request);
}

export async function listWatches(env: Env, who: Principal, channelId: string | null): Promise<WatchView[]> {
  // A channel_id must be a channel D1 has: reaching an object by a made-up name would create it (or reach the hub).
  if (channelId && !(await channelExists(createDb(env.DB), channelId))) throw new AppError(404, "not_found", "channel not found");
  return where(env, channelId).listWatches(100, who.kind === "agent" ? who.agentId : undefined);
}
