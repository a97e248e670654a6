// The agent-turn consumer. For each job it asks the channel object whether the turn may run (one at a time per
// conversation, in order), runs the agent's tool loop, folds every step's text into one SMS body and hands it to
// the channel object, which sends it at most once. Retryable failures go back on the Queue with backoff; the
// dead-letter consumer marks turns that exhausted their retries as failed, so nothing is dropped silently.
import { attachMediaTool } from "../agent/attach-media";
import { awaitSignalTool } from "../agent/await-signal";
import { mediaForModel } from "../agent/media";
import { AgentConfigError, ModelError, toModelError } from "../agent/errors";
import { resolveModel } from "../agent/models";
import { runTurn } from "../agent/run";
import { builtinTools } from "../agent/tools";
import { channelStub } from "../channel/client";
import type { TurnStart } from "../channel/object";
import { TurnJob, backoff } from "./job";

export { backoff } from "./job";

export interface TurnDeps {
  now?: () => Date;
  /** Extra tools for the agent (e.g. await_signal), built per turn. */
  tools?: (env: Env, start: Extract<TurnStart, { status: "run" }>) => import("ai").ToolSet;
}

export async function handleTurnMessage(msg: Message<unknown>, env: Env, deps: TurnDeps = {}): Promise<void> {
  const parsed = TurnJob.safeParse(msg.body);
  if (!parsed.success) {
    console.error("dropping malformed turn job", JSON.stringify(msg.body));
    msg.ack();
    return;
  }
  const { channelId, turnId } = parsed.data;
  const stub = channelStub(env, channelId);
  const start = await stub.beginTurn(channelId, turnId, msg.attempts, msg.id);
  // "busy": another job holds the turn's lease. If that consumer dies, its own redelivery takes the turn over, or
  // the channel object's liveness check sends a new job once the lease has run out; so this copy can go.
  if (start.status !== "run") return msg.ack();

  // A reply the ledger already holds is sent as it is; the channel object composes a new one from the step texts.
  let stepTexts = start.pendingReply === null ? null : [start.pendingReply];
  let info: { steps?: number; toolCalls?: string[] } = {};
  if (stepTexts === null) {
    // The turn's budget, from its lease: every await_signal wait shares it, and the model is cut off at its end.
    const now = deps.now ?? (() => new Date());
    const budget = { deadline: start.deadline, now: () => Date.now() };
    const outOfTime = new AbortController();
    const timer = setTimeout(() => outOfTime.abort(new Error("the turn ran out of time")), Math.max(0, start.deadline - budget.now()));
    try {
      const media = await mediaForModel(start.media, env.MEDIA);
      const result = await runTurn({
        model: resolveModel(start.agent.model, env),
        instructions: start.agent.instructions || "You are a helpful assistant replying by SMS. Be concise.",
        history: start.history,
        userText: media.note ? `${start.userText}\n\n${media.note}`.trim() : start.userText,
        images: media.images,
        // A long await_signal resumes this conversation (a continuation turn) instead of holding the consumer.
        tools: builtinTools({
          now,
          extra: { await_signal: awaitSignalTool(env, start.agent.id, budget, { channelId: start.channel.id, sender: start.turn.sender }), attach_media: attachMediaTool(env, { channelId, turnId, run: { jobId: msg.id, attempt: msg.attempts } }), ...deps.tools?.(env, start) },
        }),
        abortSignal: outOfTime.signal,
      });
      stepTexts = result.stepTexts;
      info = { steps: result.steps, toolCalls: result.toolCalls.map((c) => c.name) };
    } catch (err) {
      const final = err instanceof AgentConfigError || !(err instanceof ModelError ? err : toModelError(err)).retryable;
      const message = err instanceof Error ? err.message : String(err);
      await stub.failTurn(channelId, turnId, `agent error: ${message}`, final);
      return final ? msg.ack() : msg.retry({ delaySeconds: backoff(env, msg.attempts) });
    } finally {
      clearTimeout(timer);
    }
  }
  const outcome = await stub.deliverReply(channelId, turnId, stepTexts, info);
  if (outcome.status === "retry") return msg.retry({ delaySeconds: backoff(env, msg.attempts, outcome.delaySeconds) });
  msg.ack();
}

/** Dead-letter queue: the turn gave up after the Queue's max_retries; record that where the owner can see it. */
export async function handleDeadTurn(msg: Message<unknown>, env: Env): Promise<void> {
  const parsed = TurnJob.safeParse(msg.body);
  if (parsed.success) {
    const { channelId, turnId } = parsed.data;
    await channelStub(env, channelId).failTurn(channelId, turnId, `gave up after ${msg.attempts} attempts (see the turn's last error)`, true);
  }
  msg.ack();
}

export async function handleTurnBatch(batch: MessageBatch<unknown>, env: Env, deps: TurnDeps = {}): Promise<void> {
  const dead = batch.queue.endsWith("-dlq");
  // Different conversations may run side by side; the channel object keeps each conversation in order.
  await Promise.all(
    batch.messages.map(async (msg) => {
      try {
        await (dead ? handleDeadTurn(msg, env) : handleTurnMessage(msg, env, deps));
      } catch (err) {
        console.error(`turn job ${msg.id} failed`, err);
        msg.retry({ delaySeconds: backoff(env, msg.attempts) });
      }
    }),
  );
}
