import { isStepCount, streamText, tool } from "ai";
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { resolveModel } from "../../../src/agent/models";
import { runTurn } from "../../../src/agent/run";
import { builtinTools } from "../../../src/agent/tools";
import { continuationPrompt } from "../../../src/domain/signals/continuation";

const at = new Date("2026-11-24T21:00:00.000Z");
const now = () => at;

describe("builtin:echo", () => {
  it("asks for the time, then echoes the last user message with it", async () => {
    const turn = await runTurn({
      model: resolveModel("builtin:echo", {}),
      instructions: "You are a test agent.",
      history: [
        { role: "user", content: "an older message" },
        { role: "assistant", content: "an older reply" },
      ],
      userText: "hello there",
      tools: builtinTools({ now }),
    });

    expect(turn.stepTexts).toEqual(["Let me check the time.", "Echo: hello there (it is 2026-11-24T21:00:00.000Z)"]);
    expect(turn.finalText).toBe("Echo: hello there (it is 2026-11-24T21:00:00.000Z)");
    expect(turn.steps).toBe(2);
    expect(turn.toolCalls).toEqual([{ name: "current_time", input: {} }]);
    expect(turn.finishReason).toBe("stop");
    expect(turn.usage?.outputTokens).toBeGreaterThan(0);
  });

  it("says how many pictures came with the message", async () => {
    const png = new Uint8Array([137, 80, 78, 71]);
    const images = [
      { type: "image" as const, image: png, mediaType: "image/png" },
      { type: "image" as const, image: png, mediaType: "image/png" },
    ];
    const turn = await runTurn({ model: resolveModel(null, {}), instructions: "", history: [], userText: "look [Attached: picture image/png]", images, tools: {} });
    expect(turn.finalText).toBe("Echo: look [Attached: picture image/png] I see 2 pictures.");
  });

  it("is the default when no model is set", async () => {
    for (const model of [null, "", "  "]) {
      const turn = await runTurn({ model: resolveModel(model, {}), instructions: "", history: [], userText: "hi", tools: {} });
      expect(turn.finalText).toBe("Echo: hi");
    }
  });

  it("just echoes when current_time is not offered", async () => {
    const turn = await runTurn({ model: resolveModel(null, {}), instructions: "", history: [], userText: "no tools", tools: {} });
    expect(turn).toMatchObject({ stepTexts: ["Echo: no tools"], steps: 1, toolCalls: [] });
  });

  it("stops at maxSteps, ending on the tool call", async () => {
    const turn = await runTurn({ model: resolveModel(null, {}), instructions: "", history: [], userText: "x", tools: builtinTools({ now }), maxSteps: 1 });
    expect(turn).toMatchObject({ stepTexts: ["Let me check the time."], finalText: "Let me check the time.", steps: 1, finishReason: "tool-calls" });
  });

  it("streams the same loop for streamText callers", async () => {
    const result = streamText({ model: resolveModel(null, {}), prompt: "streamed", tools: builtinTools({ now }), stopWhen: isStepCount(5) });
    expect(await result.text).toBe("Echo: streamed (it is 2026-11-24T21:00:00.000Z)");
    expect((await result.steps).map((s) => s.text)).toEqual(["Let me check the time.", "Echo: streamed (it is 2026-11-24T21:00:00.000Z)"]);
  });

  it("answers the same way every time", async () => {
    const once = () => runTurn({ model: resolveModel(null, {}), instructions: "", history: [], userText: "same", tools: builtinTools({ now }) });
    expect(await once()).toEqual(await once());
  });

  it("calls await_signal with the JSON after 'await_signal', then says what came back", async () => {
    const calls: unknown[] = [];
    const awaitSignal = tool({
      inputSchema: z.object({ channel_id: z.string(), timeout_s: z.number() }),
      execute: async (input) => (calls.push(input), { watch_id: "wt_1", status: "waiting", resumes: true }),
    });
    const turn = await runTurn({
      model: resolveModel(null, {}),
      instructions: "",
      history: [],
      userText: 'await_signal {"channel_id":"ch_1","timeout_s":3600}',
      tools: builtinTools({ now, extra: { await_signal: awaitSignal } }),
    });
    expect(calls).toEqual([{ channel_id: "ch_1", timeout_s: 3600 }]);
    expect(turn.finalText).toBe("Echo: await_signal waiting wt_1 (I will text you when it settles)");
  });

  it("answers a conversation resumed by a watch from the watch's result", async () => {
    const signal = { code: "482913", codes: ["482913"], links: [], categories: ["verification_code" as const], body: "Your code is 482913", from: "+15550009999", channel_id: "ch_1", received_at: at.toISOString(), message_id: "msg_1", media: [] };
    const userText = continuationPrompt([{ watch_id: "wt_1", title: "bank", mode: "once", status: "matched", seq: 1, signal, ended: true }]);
    const turn = await runTurn({ model: resolveModel(null, {}), instructions: "", history: [], userText, tools: builtinTools({ now }) });
    expect(turn).toMatchObject({ finalText: "Echo: watch bank matched code 482913", toolCalls: [] });
  });
});
