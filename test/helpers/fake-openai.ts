// Drives the fake OpenAI server (test/fakes/openai-server.ts) from inside workerd. Each script gets a fresh
// marker; put it in the user's text so the fake can tell this test's calls from every other test's.
import { env } from "cloudflare:workers";
import { z } from "zod";

// The bindings come from vitest.config.ts; parsing them fails loudly if that wiring is ever lost.
export const fakeEnv = z.object({ OPENAI_BASE_URL: z.url(), OPENAI_API_KEY: z.string().min(1) }).parse(env);
const controlBase = fakeEnv.OPENAI_BASE_URL.replace(/\/v1\/?$/, "");

/** Mirrors the fake's step schema (which validates it): one reply, repeated `times` times. */
export type FakeStep = {
  text?: string;
  tool_calls?: { name: string; arguments?: string | Record<string, unknown> }[];
  error?: { status: number; message?: string };
  drop?: boolean;
  delay_ms?: number;
  times?: number | "always";
};

const RecordedSchema = z.object({
  requests: z.array(
    z.object({
      stream: z.boolean(),
      tools: z.array(z.string()),
      tool_choice: z.unknown().optional(),
      response_format: z.unknown().optional(),
      authorization: z.string().optional(),
      messages: z.array(z.looseObject({ role: z.string(), content: z.unknown(), tool_call_id: z.string().optional() })),
    }),
  ),
});
export type RecordedRequest = z.infer<typeof RecordedSchema>["requests"][number];

/** `marker`: a fresh one by default; pass one when the steps themselves must name it (e.g. in a tool call). */
export async function scriptFake(steps: FakeStep[], marker = `scenario-${crypto.randomUUID()}`) {
  const res = await fetch(`${controlBase}/__fake/scripts`, { method: "POST", body: JSON.stringify({ marker, steps }) });
  if (res.status !== 201) throw new Error(`fake-openai refused the script: ${res.status} ${await res.text()}`);
  return {
    marker,
    async requests(): Promise<RecordedRequest[]> {
      const state = await fetch(`${controlBase}/__fake/scripts/${encodeURIComponent(marker)}`);
      return RecordedSchema.parse(await state.json()).requests;
    },
  };
}

export async function unexpectedCalls(): Promise<string[]> {
  const res = await fetch(`${controlBase}/__fake/unexpected`);
  return z.object({ unexpected: z.array(z.string()) }).parse(await res.json()).unexpected;
}
