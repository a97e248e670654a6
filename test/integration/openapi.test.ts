// GET /api/openapi.json: public, a well-formed OpenAPI 3.1 document, and in step with the routes the app really
// has (checked against Hono's own route table, so a new endpoint without a description fails here).
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { BASE } from "../helpers/api";

const METHODS = ["get", "put", "post", "delete", "patch"] as const;

async function document(): Promise<any> {
  const res = await exports.default.fetch(new Request(`${BASE}/api/openapi.json`));
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  return res.json();
}

function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe("GET /api/openapi.json", () => {
  it("is public, while the rest of /api is not", async () => {
    await document();
    expect((await exports.default.fetch(new Request(`${BASE}/api/openapi.json`, { method: "POST" }))).status).toBe(401);
    expect((await exports.default.fetch(new Request(`${BASE}/api/spaces`))).status).toBe(401);
  });

  it("has the OpenAPI 3.1 shape: info, paths, operations with responses, resolvable refs", async () => {
    const doc = await document();
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(doc.components.securitySchemes).toMatchObject({ adminToken: { type: "http", scheme: "bearer" }, agentKey: { type: "http", scheme: "bearer" } });
    expect(doc.components.schemas.Error).toMatchObject({ properties: { error: { required: ["code", "message"], properties: { code: {}, message: {}, details: {} } } } });

    const operationIds = new Set<string>();
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      expect(path.startsWith("/")).toBe(true);
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        expect(op.operationId, `${method} ${path}`).toEqual(expect.any(String));
        expect(operationIds.has(op.operationId), op.operationId).toBe(false);
        operationIds.add(op.operationId);
        expect(Object.keys(op.responses).length, `${method} ${path}`).toBeGreaterThan(0);
        for (const code of Object.keys(op.responses)) expect(code).toMatch(/^[1-5]\d\d$/);
        const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].filter((p: any) => p.in === "path").map((p: any) => p.name);
        expect(params.sort(), `${method} ${path}`).toEqual([...templated].sort());
        for (const s of op.security ?? []) for (const name of Object.keys(s)) expect(doc.components.securitySchemes).toHaveProperty(name);
      }
    }
    for (const ref of refs(doc)) {
      const [, section, name] = /^#\/components\/(schemas|responses)\/(\w+)$/.exec(ref) ?? [];
      expect(section, ref).toBeDefined();
      expect(doc.components[section!], ref).toHaveProperty(name!);
    }
  });

  it("describes every endpoint the app serves under /api, /webhooks and /mcp", async () => {
    const doc = await document();
    const served = new Set(
      app.routes
        .filter((r) => r.method !== "ALL" && /^\/(api|webhooks|mcp)(\/|$)/.test(r.path))
        .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/\/$/, "").replace(/:(\w+)/g, "{$1}")}`),
    );
    expect(served.size).toBeGreaterThan(30);
    const described = new Set(Object.entries<any>(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => `${m} ${path}`)));
    expect([...served].filter((r) => !described.has(r))).toEqual([]);
    expect([...described].filter((r) => !served.has(r))).toEqual([]);

    for (const path of [
      "/api/spaces",
      "/api/agents",
      "/api/agents/{id}",
      "/api/agents/{id}/keys",
      "/api/agents/{id}/keys/{keyId}",
      "/api/channels",
      "/api/channels/{id}",
      "/api/channels/{id}/pairing",
      "/api/channels/{id}/paired-addresses/{address}",
      "/api/channels/{id}/connect",
      "/api/channels/{id}/disconnect",
      "/api/channels/{id}/diagnostics",
      "/api/channels/{id}/messages",
      "/api/channels/{id}/turns",
      "/api/channels/{id}/events",
      "/api/policies",
      "/api/policies/check",
      "/api/signals/watches",
      "/api/signals/watches/{id}",
      "/api/signals/watches/{id}/ws",
      "/webhooks/twilio/sms/{channelId}",
      "/webhooks/twilio/sms/{channelId}/status",
      "/mcp",
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
  });

  it("marks where an agent key works and what needs no auth", async () => {
    const doc = await document();
    expect(doc.security).toEqual([{ adminToken: [] }]);
    expect(doc.paths["/api/signals/watches"].post.security).toEqual([{ adminToken: [] }, { agentKey: [] }]);
    expect(doc.paths["/mcp"].post.security).toEqual([{ agentKey: [] }]);
    expect(doc.paths["/api/openapi.json"].get.security).toEqual([]);
    expect(doc.paths["/webhooks/twilio/sms/{channelId}"].post.security).toEqual([]);
    expect(doc.paths["/api/agents/{id}/keys"].post.responses["201"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/AgentKeyCreated" });
  });
});
