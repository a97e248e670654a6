// A refused request names every field at fault, in words a person reads (the settings forms show them by each
// field), from the same zod schema the API validates and documents with.
import { describe, expect, it } from "vitest";
import { api, json, seedAgent } from "../helpers/api";
import { freshStorageEachTest } from "../helpers/fresh";

freshStorageEachTest();

const issues = async (res: Promise<Response>) => {
  const r = await res;
  expect(r.status).toBe(400);
  const body = await r.json<any>();
  expect(body.error.code).toBe("validation_error");
  return body.error.details.issues;
};

describe("validation errors in plain words", () => {
  it("says what is wrong with each field, not zod's internals", async () => {
    expect(await issues(api("POST", "/api/agents", { name: "A", instructions: "x".repeat(20_001), space_id: "" }))).toEqual([
      { path: "space_id", message: "must not be empty" },
      { path: "instructions", message: "must be at most 20000 characters" },
    ]);
    expect(await issues(api("POST", "/api/agents", { name: "A" }))).toEqual([{ path: "space_id", message: "is required" }]);
    expect(await issues(api("GET", "/api/signals/watches/wt_x?wait=90"))).toEqual([{ path: "wait", message: "must be at most 60" }]);
    expect(await issues(api("POST", "/api/agents/ag_x/keys", { name: "k", colour: "red" }))).toEqual([{ path: "", message: "has a field this request does not take: colour" }]);
    expect(await issues(api("POST", "/api/policies/check", { agent: "a", channel: "sms", sender: "22000", action: "shout" }))).toEqual([
      { path: "action", message: 'Choose "receive_message" or "receive_signal"' },
    ]);
  });

  it("keeps a schema's own message where it has one", async () => {
    expect(await issues(api("POST", "/api/spaces", { name: "" }))).toEqual([{ path: "name", message: "Enter the space's name" }]);
    const { space } = await seedAgent();
    expect(await issues(api("POST", "/api/agents", { name: "A", space_id: space.id, handle: "No Caps" }))).toEqual([
      { path: "handle", message: "lowercase letters, digits, - and _ (max 63), starting with a letter or digit" },
    ]);
  });

  it("flags every invalid field of a new channel in one pass, and creates nothing", async () => {
    const { space, agent } = await seedAgent();
    const found = await issues(api("POST", "/api/channels", { provider: "whatsapp", space_id: space.id, agent_id: agent.id, config: { account_sid: "AC123", from_number: "555-1234" } }));
    expect(found.map((i: any) => i.path).sort()).toEqual(["config.account_sid", "config.from_number", "provider"]);
    expect(await json(api("GET", "/api/channels"))).toEqual([]);
  });
});
