import { isStepCount, streamText } from "ai";
import { describe, expect, it } from "vitest";
import { resolveModel } from "../../../src/agent/models";
import { runTurn } from "../../../src/agent/run";
import { builtinTools } from "../../../src/agent/tools";

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
});
