// The fake OpenAI server's own contract: streaming replies parse with the real provider, and unscripted calls fail
// loudly. Other agent tests lean on both.
import { streamText } from "ai";
import { describe, expect, it } from "vitest";
import { resolveModel } from "../../../src/agent/models";
import { fakeEnv, scriptFake, unexpectedCalls } from "../../helpers/fake-openai";

describe("fake OpenAI server", () => {
  it("streams text and tool calls as SSE for streamText callers", async () => {
    const fake = await scriptFake([{ text: "Streaming works fine.", tool_calls: [{ name: "lookup", arguments: { q: "x" } }] }]);
    const result = streamText({ model: resolveModel("openai:gpt-test", fakeEnv), prompt: `go ${fake.marker}`, maxRetries: 0 });
    expect(await result.text).toBe("Streaming works fine.");
    expect((await result.toolCalls).map((c) => [c.toolName, c.input])).toEqual([["lookup", { q: "x" }]]);
    expect((await fake.requests())[0]?.stream).toBe(true);
  });

  it("answers an unscripted call 500 and records it under unexpected", async () => {
    const marker = `unscripted-${crypto.randomUUID()}`;
    const res = await fetch(`${fakeEnv.OPENAI_BASE_URL}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${fakeEnv.OPENAI_API_KEY}` },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: marker }] }),
    });
    expect(res.status).toBe(500);
    expect(await res.text()).toContain("no script matches");
    expect((await unexpectedCalls()).some((u) => u.includes(marker))).toBe(true);
  });

  it("refuses a script step that says nothing", async () => {
    await expect(scriptFake([{ delay_ms: 10 }])).rejects.toThrow(/needs text, tool_calls, error or drop/);
  });
});
