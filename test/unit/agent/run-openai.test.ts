// runTurn against the fake OpenAI server: the real openai-compatible provider, real HTTP, scripted replies.
import { describe, expect, it } from "vitest";
import { ModelError } from "../../../src/agent/errors";
import { resolveModel } from "../../../src/agent/models";
import { runTurn, type TurnInput } from "../../../src/agent/run";
import { builtinTools } from "../../../src/agent/tools";
import { fakeEnv, scriptFake, unexpectedCalls, type FakeStep } from "../../helpers/fake-openai";

const at = new Date("2026-11-24T21:00:00.000Z");
const model = resolveModel("openai:gpt-test", fakeEnv);

async function turnWith(steps: FakeStep[], extra: Partial<TurnInput> = {}) {
  const fake = await scriptFake(steps);
  const run = runTurn({
    model,
    instructions: "Be brief.",
    history: [],
    userText: `what time is it? ${fake.marker}`,
    tools: builtinTools({ now: () => at }),
    ...extra,
  });
  return { fake, run };
}

async function modelError(run: Promise<unknown>): Promise<ModelError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ModelError)) throw new Error(`expected a ModelError, got ${String(error)}`);
  return error;
}

describe("runTurn with an OpenAI-compatible model", () => {
  it("runs the tool and sends its result back before the final answer", async () => {
    const { fake, run } = await turnWith([{ text: "Checking.", tool_calls: [{ name: "current_time", arguments: {} }] }, { text: "It is 21:00 UTC." }]);
    const turn = await run;

    expect(turn).toMatchObject({ stepTexts: ["Checking.", "It is 21:00 UTC."], finalText: "It is 21:00 UTC.", steps: 2, finishReason: "stop" });
    expect(turn.toolCalls).toEqual([{ name: "current_time", input: {} }]);
    const [first, second] = await fake.requests();
    expect(first?.authorization).toBe(`Bearer ${fakeEnv.OPENAI_API_KEY}`);
    expect(first?.tools).toEqual(["current_time"]);
    expect(first?.messages[0]).toEqual({ role: "system", content: "Be brief." });
    const toolReply = second?.messages.find((m) => m.role === "tool");
    expect(toolReply?.tool_call_id).toBe("call_1_0");
    expect(JSON.parse(String(toolReply?.content))).toEqual({ iso: "2026-11-24T21:00:00.000Z", unix: 1795554000 });
    expect(turn.usage?.totalTokens).toBeGreaterThan(0);
  });

  it("returns a text-only reply in one step", async () => {
    const { fake, run } = await turnWith([{ text: "Hello!" }], { history: [{ role: "user", content: "earlier" }, { role: "assistant", content: "before" }] });
    expect(await run).toMatchObject({ stepTexts: ["Hello!"], finalText: "Hello!", steps: 1, toolCalls: [] });
    const [only] = await fake.requests();
    expect(only?.stream).toBe(false);
    expect(only?.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
  });

  it("formats local time for a time zone, and reports an unknown zone to the model", async () => {
    const { fake, run } = await turnWith([
      { tool_calls: [{ name: "current_time", arguments: { timezone: "America/Los_Angeles" } }, { name: "current_time", arguments: { timezone: "Mars/Olympus" } }] },
      { text: "done" },
    ]);
    await run;
    const replies = (await fake.requests())[1]?.messages.filter((m) => m.role === "tool").map((m) => String(m.content));
    expect(JSON.parse(replies?.[0] ?? "")).toMatchObject({ timezone: "America/Los_Angeles", local: "2026-11-24 13:00:00 GMT-8 (Tuesday)" });
    expect(replies?.[1]).toContain('Unknown time zone "Mars/Olympus"');
  });

  it("stops a model that keeps calling tools after maxSteps", async () => {
    const { fake, run } = await turnWith([{ text: "again", tool_calls: [{ name: "current_time" }], times: "always" }], { maxSteps: 3 });
    const turn = await run;
    expect(turn).toMatchObject({ steps: 3, stepTexts: ["again", "again", "again"], finishReason: "tool-calls" });
    expect(turn.toolCalls).toHaveLength(3);
    expect(await fake.requests()).toHaveLength(3);
  });

  it.each([
    [500, true],
    [503, true],
    [429, true],
    [400, false],
    [401, false],
    [404, false],
  ])("HTTP %i fails the turn with retryable=%s, without retrying inside the turn", async (status, retryable) => {
    const { fake, run } = await turnWith([{ error: { status, message: `boom ${status}` } }]);
    const error = await modelError(run);
    expect(error).toMatchObject({ status, retryable });
    expect(error.message).toContain(`boom ${status}`);
    expect(await fake.requests()).toHaveLength(1);
  });

  it("treats a failure in the second step like any other", async () => {
    const { run } = await turnWith([{ tool_calls: [{ name: "current_time" }] }, { error: { status: 500 } }]);
    expect(await modelError(run)).toMatchObject({ status: 500, retryable: true });
  });

  it("treats a dropped connection as retryable", async () => {
    const { run } = await turnWith([{ drop: true }]);
    expect(await modelError(run)).toMatchObject({ retryable: true, status: undefined });
  });

  it("treats a timeout as retryable", async () => {
    const { run } = await turnWith([{ text: "too late", delay_ms: 2_000 }], { abortSignal: AbortSignal.timeout(100) });
    expect(await modelError(run)).toMatchObject({ retryable: true });
  });

  it("leaves nothing unexpected at the fake", async () => {
    const { fake, run } = await turnWith([{ text: "ok" }]);
    await run;
    expect((await unexpectedCalls()).filter((u) => u.includes(fake.marker))).toEqual([]);
  });
});
