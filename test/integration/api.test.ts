import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BASE, api, json, refused } from "../helpers/api";
import { freshStorageEachTest } from "../helpers/fresh";

freshStorageEachTest();

describe("auth", () => {
  it("rejects /api without a bearer token", async () => {
    const res = await exports.default.fetch(new Request(`${BASE}/api/spaces`));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: "unauthorized", message: expect.stringContaining("Bearer") } });
  });

  it("rejects a wrong token", async () => {
    const res = await api("GET", "/api/spaces", undefined, { authorization: "Bearer nope" });
    expect(res.status).toBe(401);
  });

  it("answers unknown routes with the error shape", async () => {
    const res = await api("GET", "/api/nothing-here");
    expect(res.status).toBe(404);
    expect((await res.json<any>()).error.code).toBe("not_found");
  });
});

describe("spaces", () => {
  it("creates and lists", async () => {
    const res = await api("POST", "/api/spaces", { name: "Home" });
    expect(res.status).toBe(201);
    const space = await res.json<any>();
    expect(space).toMatchObject({ id: expect.stringMatching(/^sp_/), name: "Home" });
    expect(await json(api("GET", "/api/spaces"))).toEqual([space]);
  });

  it("validates the body", async () => {
    const res = await api("POST", "/api/spaces", { name: "" });
    expect(res.status).toBe(400);
    const body = await res.json<any>();
    expect(body.error.code).toBe("validation_error");
    expect(body.error.details.issues[0].path).toBe("name");
  });

  it("rejects malformed JSON with a 400", async () => {
    const res = await api("POST", "/api/spaces", "{not json", { "content-type": "application/json" });
    expect(res.status).toBe(400);
    expect((await res.json<any>()).error.code).toMatch(/bad_request|validation_error/);
  });
});

describe("agents", () => {
  it("creates with a handle, defaults the model, and lists", async () => {
    const space = await json(api("POST", "/api/spaces", { name: "Home" }));
    const res = await api("POST", "/api/agents", { name: "Assistant", space_id: space.id, handle: "assistant", instructions: "Be brief." });
    expect(res.status).toBe(201);
    const agent = await res.json<any>();
    expect(agent).toMatchObject({ id: expect.stringMatching(/^ag_/), handle: "assistant", space_id: space.id, model: "builtin:echo", instructions: "Be brief." });
    expect((await json<any[]>(api("GET", "/api/agents"))).map((a) => a.id)).toEqual([agent.id]);
  });

  it("derives a unique handle from the name", async () => {
    const space = await json(api("POST", "/api/spaces", { name: "Home" }));
    const a = await json(api("POST", "/api/agents", { name: "Front Desk", space_id: space.id }));
    const b = await json(api("POST", "/api/agents", { name: "Front Desk", space_id: space.id }));
    expect([a.handle, b.handle]).toEqual(["front-desk", "front-desk-2"]);
  });

  it("refuses a duplicate explicit handle with 409", async () => {
    const space = await json(api("POST", "/api/spaces", { name: "Home" }));
    await api("POST", "/api/agents", { name: "A", space_id: space.id, handle: "assistant" });
    const res = await api("POST", "/api/agents", { name: "B", space_id: space.id, handle: "assistant" });
    expect(res.status).toBe(409);
    expect((await res.json<any>()).error.code).toBe("conflict");
  });

  it("rejects an unknown space, a bad handle and a bad model", async () => {
    await refused(api("POST", "/api/agents", { name: "A", space_id: "sp_missing" }), 400, "validation_error", ["space_id"]);
    const space = await json(api("POST", "/api/spaces", { name: "Home" }));
    await refused(api("POST", "/api/agents", { name: "A", space_id: space.id, handle: "Bad Handle" }), 400, "validation_error", ["handle"]);
    await refused(api("POST", "/api/agents", { name: "A", space_id: space.id, model: "gpt-4" }), 400, "validation_error", ["model"]);
    expect(await json(api("GET", "/api/agents"))).toEqual([]);
  });
});

describe("configuration", () => {
  it("names a missing required setting instead of crashing", async () => {
    const { app } = await import("../../src/app");
    for (const name of ["ADMIN_TOKEN", "ENCRYPTION_KEY"] as const) {
      const res = await app.request("/api/spaces", { headers: { authorization: "Bearer test-admin-token" } }, { ...env, [name]: "" });
      expect(res.status).toBe(500);
      const body = await res.json<any>();
      expect(body.error.code).toBe("config_missing");
      expect(body.error.message).toContain(name);
      expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
    }
  });
});

describe("limits", () => {
  it("refuses an oversized body with 413", async () => {
    const res = await api("POST", "/api/spaces", { name: "x".repeat(300 * 1024) });
    expect(res.status).toBe(413);
    expect((await res.json<any>()).error.code).toBe("payload_too_large");
  });
});
