// The one watch schema (REST, the in-turn tool and MCP all parse with it): normalisation, limits on every field,
// the rules between fields, and every problem reported in one answer.
import { describe, expect, it } from "vitest";
import { AwaitSignalInput } from "../../../src/agent/await-signal";
import {
  MAX_CONTAINS_LENGTH,
  MAX_INSTRUCTIONS_LENGTH,
  MAX_RESULT_SCHEMA_LENGTH,
  MAX_TIMEOUT_S,
  MAX_TITLE_LENGTH,
  MAX_WATCH_CHANNELS,
  MAX_WATCH_SENDERS,
  CATEGORIES,
  parseWatchInput,
  storedParams,
} from "../../../src/domain/signals";
import { WatchRequest } from "../../../src/signals/service";

const ok = (input: unknown) => {
  const r = parseWatchInput(input);
  if (!r.ok) throw new Error(`refused: ${JSON.stringify(r.issues)}`);
  return r.value;
};
const issues = (input: unknown) => {
  const r = parseWatchInput(input);
  return r.ok ? [] : r.issues;
};

describe("parseWatchInput", () => {
  it("normalises a minimal input with the defaults", () => {
    expect(ok({ timeout_s: 120 })).toEqual({
      title: null,
      channelId: null,
      channelIds: null,
      from: null,
      categories: null,
      contains: null,
      regex: null,
      lookbackS: 300,
      timeoutS: 120,
      mode: "once",
      maxMatches: null,
      instructions: null,
      resultSchema: null,
      maxEvaluations: null,
    });
  });

  it("keeps filters, trimming text but not the pattern; one sender or several", () => {
    const v = ok({ title: " bank ", channel_id: " ch_1 ", from: "+14155550100", contains: " Google ", regex: " code: \\d{6}", lookback_s: 0, timeout_s: 86_400 });
    expect(v).toMatchObject({ title: "bank", channelId: "ch_1", from: ["+14155550100"], contains: "Google", regex: " code: \\d{6}", lookbackS: 0 });
    expect(ok({ from: ["22000", "+14155550100", "22000"], timeout_s: 5 }).from).toEqual(["22000", "+14155550100"]);
  });

  it("treats empty strings and nulls as no filter", () => {
    expect(ok({ from: "", contains: null, regex: "", title: "", timeout_s: 5 })).toMatchObject({ from: null, contains: null, regex: null, title: null });
  });

  it("watches one of channel_ids from its channel's object, several from the hub", () => {
    expect(ok({ channel_ids: ["ch_1"], timeout_s: 5 })).toMatchObject({ channelId: "ch_1", channelIds: null });
    expect(ok({ channel_ids: ["ch_1", "ch_2", "ch_1"], timeout_s: 5 })).toMatchObject({ channelId: null, channelIds: ["ch_1", "ch_2"] });
  });

  it("fills in a continuous watch's max_matches and a judged watch's max_evaluations", () => {
    expect(ok({ mode: "continuous", timeout_s: 5 })).toMatchObject({ mode: "continuous", maxMatches: 100 });
    expect(ok({ mode: "continuous", max_matches: 5, timeout_s: 5 }).maxMatches).toBe(5);
    expect(ok({ instructions: "the bank's code", timeout_s: 5 })).toMatchObject({ instructions: "the bank's code", maxEvaluations: 50, resultSchema: null });
    const schema = { type: "object", properties: { code: { type: "string" } } };
    expect(ok({ instructions: "x", result_schema: schema, max_evaluations: 3, timeout_s: 5 })).toMatchObject({ resultSchema: schema, maxEvaluations: 3 });
  });

  it("takes waits up to a week", () => {
    expect(ok({ timeout_s: MAX_TIMEOUT_S }).timeoutS).toBe(604_800);
  });

  it("accepts every documented category", () => {
    expect(ok({ categories: [...CATEGORIES], timeout_s: 5 }).categories).toEqual([...CATEGORIES]);
  });

  it.each([
    [{}, "timeout_s", "is required"],
    [{ timeout_s: 0 }, "timeout_s", "from 1 to 604800"],
    [{ timeout_s: MAX_TIMEOUT_S + 1 }, "timeout_s", "from 1 to 604800"],
    [{ timeout_s: 1.5 }, "timeout_s", "whole number"],
    [{ timeout_s: "60" }, "timeout_s", "whole number"],
    [{ timeout_s: 60, lookback_s: -1 }, "lookback_s", "from 0 to 86400"],
    [{ timeout_s: 60, lookback_s: 86_401 }, "lookback_s", "from 0 to 86400"],
    [{ timeout_s: 60, from: "not a number!" }, "from", "E.164"],
    [{ timeout_s: 60, from: ["22000", "not a number!"] }, "from.1", "E.164"],
    [{ timeout_s: 60, from: [] }, "from", "at least one"],
    [{ timeout_s: 60, from: Array.from({ length: MAX_WATCH_SENDERS + 1 }, (_, i) => `+1415555${String(i).padStart(4, "0")}`) }, "from", `at most ${MAX_WATCH_SENDERS}`],
    [{ timeout_s: 60, from: 42 }, "from", "a sender or a list"],
    [{ timeout_s: 60, contains: 42 }, "contains", "must be a string"],
    [{ timeout_s: 60, contains: "x".repeat(MAX_CONTAINS_LENGTH + 1) }, "contains", "at most 200"],
    [{ timeout_s: 60, title: "x".repeat(MAX_TITLE_LENGTH + 1) }, "title", `at most ${MAX_TITLE_LENGTH}`],
    [{ timeout_s: 60, regex: "(" }, "regex", "does not compile"],
    [{ timeout_s: 60, regex: "a".repeat(201) }, "regex", "at most 200"],
    [{ timeout_s: 60, regex: "code(?=\\d)" }, "regex", "lookahead and lookbehind"],
    [{ timeout_s: 60, regex: "(\\d)\\1" }, "regex", "backreferences"],
    [{ timeout_s: 60, channel_id: "ch_1", channel_ids: ["ch_2"] }, "channel_ids", "not both"],
    [{ timeout_s: 60, channel_ids: [] }, "channel_ids", "at least one"],
    [{ timeout_s: 60, channel_ids: Array.from({ length: MAX_WATCH_CHANNELS + 1 }, (_, i) => `ch_${i}`) }, "channel_ids", `at most ${MAX_WATCH_CHANNELS}`],
    [{ timeout_s: 60, categories: ["weather"] }, "categories.0", "must be one of"],
    [{ timeout_s: 60, mode: "forever" }, "mode", '"once" or "continuous"'],
    [{ timeout_s: 60, max_matches: 5 }, "max_matches", "continuous"],
    [{ timeout_s: 60, mode: "continuous", max_matches: 1001 }, "max_matches", "from 1 to 1000"],
    [{ timeout_s: 60, instructions: "x".repeat(MAX_INSTRUCTIONS_LENGTH + 1) }, "instructions", `at most ${MAX_INSTRUCTIONS_LENGTH}`],
    [{ timeout_s: 60, result_schema: { type: "object" } }, "result_schema", "with instructions"],
    [{ timeout_s: 60, instructions: "x", result_schema: "object" }, "result_schema", "JSON Schema object"],
    [{ timeout_s: 60, instructions: "x", result_schema: { description: "x".repeat(MAX_RESULT_SCHEMA_LENGTH) } }, "result_schema", `at most ${MAX_RESULT_SCHEMA_LENGTH}`],
    [{ timeout_s: 60, max_evaluations: 5 }, "max_evaluations", "with instructions"],
    [{ timeout_s: 60, instructions: "x", max_evaluations: 0 }, "max_evaluations", "from 1 to 500"],
    [{ timeout_s: 60, chanel_id: "ch_1" }, "chanel_id", "not a field"],
  ])("rejects %j at %s", (input, path, message) => {
    expect(issues(input)).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it("reports every issue at once, the rules between fields included", () => {
    const found = issues({ from: "??", regex: "(", lookback_s: -5, max_matches: 3, channel_id: "a", channel_ids: ["b"], extra: 1 });
    expect(found.map((i) => i.path).sort()).toEqual(["channel_ids", "extra", "from", "lookback_s", "max_matches", "regex", "timeout_s"]);
  });

  it("rejects a value that is not an object", () => {
    expect(parseWatchInput(null)).toEqual({ ok: false, issues: [{ path: "", message: "expected an object" }] });
  });

  it("reads parameters stored by earlier versions", () => {
    expect(storedParams(JSON.stringify({ channelId: "ch_1", from: "+14155550100", contains: null, regex: null, lookbackS: 300, timeoutS: 60 }))).toMatchObject({
      channelId: "ch_1",
      from: ["+14155550100"],
      mode: "once",
      maxMatches: null,
      title: null,
    });
  });
});

describe("one schema for REST, the agent tool and MCP", () => {
  const input = { from: "??", mode: "continuous", max_matches: 0, timeout_s: 700_000 };
  const paths = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) => (r.error?.issues ?? []).map((i) => i.path.join(".")).sort();

  it("refuses the same mistakes in each", () => {
    const expected = ["from", "max_matches", "timeout_s"];
    expect(issues(input).map((i) => i.path).sort()).toEqual(expected);
    expect(paths(WatchRequest.safeParse({ agent_id: "ag_1", ...input }))).toEqual(expected);
    expect(paths(AwaitSignalInput.safeParse(input))).toEqual(expected);
  });

  it("lets the tool read an existing watch by id, and nothing else with it", () => {
    expect(AwaitSignalInput.safeParse({ watch_id: "wt_1", after: 3, timeout_s: 30 }).success).toBe(true);
    expect(paths(AwaitSignalInput.safeParse({ watch_id: "wt_1", contains: "x", timeout_s: 30 }))).toEqual(["watch_id"]);
    expect(paths(AwaitSignalInput.safeParse({ after: 3, timeout_s: 30 }))).toEqual(["after"]);
  });
});
