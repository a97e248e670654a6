import { describe, expect, it } from "vitest";
import { AgentConfigError } from "../../../src/agent/errors";
import { resolveModel } from "../../../src/agent/models";

describe("resolveModel", () => {
  it("builds an OpenAI-compatible model from the env", () => {
    const model = resolveModel("openai:gpt-4o-mini", { OPENAI_API_KEY: "k" });
    expect(model.modelId).toBe("gpt-4o-mini");
    expect(model.provider).toMatch(/^openai/);
  });

  it("builds the echo model for builtin:echo", () => {
    expect(resolveModel("builtin:echo", {})).toMatchObject({ provider: "builtin", modelId: "echo" });
  });

  it.each([
    ["anthropic:claude", /Unknown model provider "anthropic"/],
    ["gpt-4o", /no model name/],
    ["openai:", /no model name/],
    ["builtin:parrot", /Unknown built-in model/],
  ])("rejects %s", (spec, message) => {
    expect(() => resolveModel(spec, { OPENAI_API_KEY: "k" })).toThrow(AgentConfigError);
    expect(() => resolveModel(spec, { OPENAI_API_KEY: "k" })).toThrow(message);
  });

  it("names the missing Workers AI binding", () => {
    expect(() => resolveModel("workers-ai:@cf/meta/llama-3.1-8b-instruct", {})).toThrow(/binding "AI"/);
  });

  it("names the missing OpenAI key instead of failing later with a 401", () => {
    for (const key of [undefined, "", " "]) {
      expect(() => resolveModel("openai:gpt-4o-mini", { OPENAI_API_KEY: key })).toThrow(/OPENAI_API_KEY/);
    }
  });
});
