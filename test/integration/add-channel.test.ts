// "Add channel" as the settings form sends it: one request that may name a new space and agent. Every invalid
// field comes back at once, in plain words, and a refused request leaves no space or agent behind.
import { describe, expect, it } from "vitest";
import { api, json } from "../helpers/api";
import { fakeAccount, seedChannel } from "../helpers/twilio";
import { freshStorageEachTest } from "../helpers/fresh";

freshStorageEachTest();

const add = (body: Record<string, unknown>) => api("POST", "/api/channels", { provider: "twilio_sms", ...body });
const owners = async () => ({ spaces: (await json<any[]>(api("GET", "/api/spaces"))).length, agents: (await json<any[]>(api("GET", "/api/agents"))).length });

describe("Add channel with a new space and agent", () => {
  it("flags every invalid field in one answer, in plain words, and creates nothing", async () => {
    const account = await fakeAccount();
    const res = await add({ space: { name: "" }, agent: { name: "   " }, config: { account_sid: account.sid, auth_token: account.token, from_number: "555-0100" } });
    expect(res.status).toBe(400);
    const { error } = await res.json<any>();
    expect(error.code).toBe("validation_error");
    expect(error.details.issues).toEqual(
      expect.arrayContaining([
        { path: "space.name", message: "Enter the space's name" },
        { path: "agent.name", message: "Enter the agent's name" },
        { path: "config.from_number", message: "Enter the number in E.164 form: + and the country code, such as +15551234567" },
      ]),
    );
    expect(error.details.issues).toHaveLength(3);
    expect(JSON.stringify(error)).not.toMatch(/Too small|expected string|Invalid input/);
    expect(await owners()).toEqual({ spaces: 0, agents: 0 });
  });

  it("creates the space, the agent and the channel together", async () => {
    const account = await fakeAccount();
    const res = await add({ space: { name: "Home" }, agent: { name: "Assistant" }, dispatch_mode: "signal", config: { account_sid: account.sid, auth_token: account.token, from_number: "+15550001111" } });
    expect(res.status).toBe(201);
    const channel = await res.json<any>();
    const [space] = await json<any[]>(api("GET", "/api/spaces"));
    const [agent] = await json<any[]>(api("GET", "/api/agents"));
    expect(space).toMatchObject({ name: "Home" });
    expect(agent).toMatchObject({ name: "Assistant", handle: "assistant", space_id: space.id });
    expect(channel).toMatchObject({ space_id: space.id, agent_id: agent.id, dispatch_mode: "signal", status: "pairing" });
  });

  it("leaves nothing behind when the number already has a channel", async () => {
    const { account } = await seedChannel();
    const res = await add({ space: { name: "Work" }, agent: { name: "Helper" }, config: { account_sid: account.sid, auth_token: account.token, from_number: "+15550001111" } });
    expect(res.status).toBe(409);
    expect((await res.json<any>()).error).toMatchObject({ code: "number_in_use", details: { field: "config.from_number" } });
    expect(await owners()).toEqual({ spaces: 1, agents: 1 });
  });

  it("removes the new space and agent of the request that loses a race for the number", async () => {
    const account = await fakeAccount();
    const body = (name: string) => ({ space: { name }, agent: { name }, config: { account_sid: account.sid, auth_token: account.token, from_number: "+15550001111" } });
    // Both pass the early number check; the channel object's insert lets one of them have the number.
    const answers = await Promise.all([add(body("One")), add(body("Two"))]);
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
    const winner = await answers.find((r) => r.status === 201)!.json<any>();
    const spaces = await json<any[]>(api("GET", "/api/spaces"));
    const agents = await json<any[]>(api("GET", "/api/agents"));
    expect(spaces.map((s) => s.id)).toEqual([winner.space_id]);
    expect(agents.map((a) => a.id)).toEqual([winner.agent_id]);
  });

  it("asks for exactly one of space_id and space, and of agent_id and agent", async () => {
    const account = await fakeAccount();
    const config = { account_sid: account.sid, auth_token: account.token, from_number: "+15550001111" };
    const neither = await json(add({ config }));
    expect(neither.error.details.issues.map((i: any) => i.path).sort()).toEqual(["agent_id", "space_id"]);
    const { space, agent } = await seedChannel({ numbers: [{ phone_number: "+15550002222" }] });
    const both = await json(add({ space_id: space.id, space: { name: "X" }, agent_id: agent.id, config }));
    expect(both.error.details.issues.map((i: any) => i.path)).toEqual(["space_id"]);
    const oldAgentNewSpace = await json(add({ space: { name: "New" }, agent_id: agent.id, config }));
    expect(oldAgentNewSpace.error.details.issues).toEqual([{ path: "agent_id", message: "A new space has no agents yet: name a new agent for it" }]);
    expect(await owners()).toEqual({ spaces: 1, agents: 1 });
  });
});
