// Turns a channel's model string ("openai:gpt-4o-mini", "workers-ai:@cf/...", "builtin:echo") into an AI SDK
// model. Config problems surface here, before a turn starts, as AgentConfigError naming what is missing.
import type { LanguageModelV4 } from "@ai-sdk/provider";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { createWorkersAI } from "workers-ai-provider";
import { echoModel } from "./echo-model";
import { AgentConfigError } from "./errors";

/** Structural, so callers can pass the generated Env before `wrangler types` knows about these bindings. */
export interface ModelEnv {
  AI?: Ai;
  OPENAI_BASE_URL?: string;
  OPENAI_API_KEY?: string;
}

export const DEFAULT_MODEL = "builtin:echo";

export function resolveModel(model: string | null, env: ModelEnv): LanguageModelV4 {
  const spec = model?.trim() || DEFAULT_MODEL;
  const colon = spec.indexOf(":");
  const [provider, id] = colon < 0 ? [spec, ""] : [spec.slice(0, colon), spec.slice(colon + 1).trim()];
  if (!id) throw new AgentConfigError(`Model "${spec}" has no model name; expected "<provider>:<model>", e.g. "openai:gpt-4o-mini".`);

  switch (provider) {
    case "builtin":
      if (id === "echo") return echoModel();
      throw new AgentConfigError(`Unknown built-in model "${spec}"; the only one is "builtin:echo".`);
    case "workers-ai":
      if (!env.AI) throw new AgentConfigError(`Model "${spec}" needs the Workers AI binding "AI"; add an [ai] binding named AI to wrangler.toml.`);
      return createWorkersAI({ binding: env.AI })(id);
    case "openai": {
      // An empty key would only fail later as a 401 from the provider, after the turn was queued and retried.
      const apiKey = env.OPENAI_API_KEY?.trim();
      if (!apiKey) throw new AgentConfigError(`Model "${spec}" needs OPENAI_API_KEY; set it with \`wrangler secret put OPENAI_API_KEY\`.`);
      const baseURL = env.OPENAI_BASE_URL?.trim() || "https://api.openai.com/v1";
      return createOpenAICompatible({ name: "openai", baseURL, apiKey })(id);
    }
    default:
      throw new AgentConfigError(`Unknown model provider "${provider}" in "${spec}"; use "openai:", "workers-ai:" or "builtin:".`);
  }
}
