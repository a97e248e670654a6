// The generated OpenAPI document: public, well-formed 3.1, and complete — every route Hono serves (walked from the
// app's own route table) is an operation with request and response schemas, error responses, auth and examples,
// and each example validates against its schema. /api/docs renders the same document as a page, offline.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { openApiPath } from "../../src/routes/openapi";
import { uiRoutes } from "../../src/routes/ui";
import { BASE } from "../helpers/api";
import { checkResponse, validateAgainst } from "../helpers/contract";

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

const operations = (doc: any) =>
  Object.entries<any>(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((method) => ({ method, path, op: item[method], item })));
const resolve = (doc: any, r: any) => (r.$ref ? doc.components.responses[r.$ref.split("/").pop()] : r);

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
    for (const { method, path, op } of operations(doc)) {
      expect(path.startsWith("/")).toBe(true);
      expect(op.operationId, `${method} ${path}`).toEqual(expect.any(String));
      expect(operationIds.has(op.operationId), op.operationId).toBe(false);
      operationIds.add(op.operationId);
      for (const code of Object.keys(op.responses)) expect(code).toMatch(/^[1-5]\d\d$/);
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const params = (op.parameters ?? []).filter((p: any) => p.in === "path").map((p: any) => p.name);
      expect(params.sort(), `${method} ${path}`).toEqual([...templated].sort());
      for (const s of op.security) for (const name of Object.keys(s)) expect(doc.components.securitySchemes).toHaveProperty(name);
    }
    for (const ref of refs(doc)) {
      const [, section, name] = /^#\/components\/(schemas|responses)\/(\w+)$/.exec(ref) ?? [];
      expect(section, ref).toBeDefined();
      expect(doc.components[section!], ref).toHaveProperty(name!);
    }
  });

  it("describes every route the app serves (its own route table), the settings pages aside", async () => {
    const doc = await document();
    const key = (method: string, path: string) => `${method.toLowerCase()} ${openApiPath(path)}`;
    const pages = new Set(uiRoutes.routes.map((r) => key(r.method, r.path)));
    const served = new Set(app.routes.filter((r) => r.method !== "ALL").map((r) => key(r.method, r.path)).filter((k) => !pages.has(k)));
    const described = new Set(operations(doc).map(({ method, path }) => `${method} ${path}`));
    expect(served.size).toBeGreaterThan(30);
    expect([...served].filter((r) => !described.has(r)), "served but not described").toEqual([]);
    expect([...described].filter((r) => !served.has(r)), "described but not served").toEqual([]);
  });

  it("gives every operation a summary, explicit auth, error responses in the one error shape, and examples", async () => {
    const doc = await document();
    for (const { method, path, op } of operations(doc)) {
      const where = `${method} ${path}`;
      expect(op.summary, where).toEqual(expect.any(String));
      expect(op.security, where).toEqual(expect.any(Array));
      expect(op.responses, where).toHaveProperty("500");
      const statuses = Object.keys(op.responses).map(Number);
      // Examples on every answer that succeeds; /mcp's GET and DELETE only ever refuse (405), with an example too.
      const own = statuses.filter((s) => !op.responses[s].$ref);
      expect(own.length, where).toBeGreaterThan(0);
      for (const status of statuses.filter((s) => s < 400).concat(own.every((s) => s >= 400) ? own : [])) {
        const content = resolve(doc, op.responses[status]).content;
        if (content) for (const [type, media] of Object.entries<any>(content)) if (type === Object.keys(content)[0]) expect(media.example, `${where} ${status} example`).toBeDefined();
      }
      for (const [type, media] of Object.entries<any>(op.requestBody?.content ?? {})) {
        if (type === Object.keys(op.requestBody.content)[0]) expect(media.example, `${where} request example`).toBeDefined();
        expect(media.schema, `${where} request schema`).toBeDefined();
      }
      if (op.security.length) expect(statuses, where).toEqual(expect.arrayContaining([401, 429]));
      for (const status of statuses.filter((s) => s >= 400)) {
        const content = resolve(doc, op.responses[status]).content;
        const schema = content?.["application/json"]?.schema;
        // Every error is {error:{code,message,details?}}; /mcp's own 4xx are JSON-RPC, as the protocol has them.
        if (!path.startsWith("/mcp") || status === 401 || status === 429 || status === 500) expect(JSON.stringify(schema), `${where} ${status}`).toContain("#/components/schemas/Error");
      }
    }
  });

  it("has examples that validate against their own schemas", async () => {
    const doc = await document();
    let checked = 0;
    const check = (where: string, media: any) => {
      if (media.example === undefined || !media.schema) return;
      expect(validateAgainst(media.schema, media.example), where).toEqual([]);
      checked++;
    };
    for (const { method, path, op } of operations(doc)) {
      for (const [type, media] of Object.entries<any>(op.requestBody?.content ?? {})) check(`${method} ${path} request ${type}`, media);
      for (const [status, r] of Object.entries<any>(op.responses)) for (const [type, media] of Object.entries<any>(resolve(doc, r).content ?? {})) check(`${method} ${path} ${status} ${type}`, media);
    }
    expect(checked).toBeGreaterThan(50);
  });

  it("marks where an agent key works and what needs no auth", async () => {
    const doc = await document();
    expect(doc.security).toEqual([{ adminToken: [] }]);
    expect(doc.paths["/api/spaces"].post.security).toEqual([{ adminToken: [] }]);
    expect(doc.paths["/api/signals/watches"].post.security).toEqual([{ adminToken: [] }, { agentKey: [] }]);
    expect(doc.paths["/mcp"].post.security).toEqual([{ agentKey: [] }]);
    expect(doc.paths["/api/openapi.json"].get.security).toEqual([]);
    expect(doc.paths["/api/docs"].get.security).toEqual([]);
    expect(doc.paths["/webhooks/twilio/sms/{channelId}"].post.security).toEqual([]);
    expect(doc.paths["/webhooks/twilio/sms/{channelId}"].post.parameters).toContainEqual(expect.objectContaining({ name: "x-twilio-signature", in: "header", required: true }));
    expect(doc.paths["/api/agents/{id}/keys"].post.responses["201"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/AgentKeyCreated" });
  });

  it("takes its schemas from the code: the route validators', the webhook forms' and the watch service's", async () => {
    const doc = await document();
    const { schemas } = doc.components;
    expect(schemas.CreateAgent.properties.handle.pattern).toBe("^[a-z0-9][a-z0-9_-]{0,62}$");
    expect(schemas.PatchChannel.properties.config.properties.from_number.pattern).toBe("^\\+[1-9]\\d{6,14}$");
    expect(schemas.TwilioInbound.properties.MessageSid.pattern).toBe("^(SM|MM)[0-9a-f]{32}$");
    expect(schemas.WatchRequest.required).toContain("timeout_s");
    expect(doc.paths["/api/channels/{id}/messages"].get.parameters).toContainEqual(expect.objectContaining({ name: "limit", in: "query", required: false, schema: expect.objectContaining({ maximum: 500 }) }));
  });
});

describe("the contract check every integration test runs", () => {
  const answer = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const space = { id: "sp_7k2m9q4x8c1v5b3n6z0w", name: "Home", created_at: "2026-01-05T09:00:00.000Z" };

  it("passes an answer the document describes", async () => {
    await expect(checkResponse("GET", `${BASE}/api/spaces`, answer(200, [space]))).resolves.toBeUndefined();
  });

  it.each([
    ["a field the document does not have", answer(200, [{ ...space, colour: "red" }]), /colour|additional/i],
    ["a field of another type", answer(200, [{ ...space, created_at: 5 }]), /created_at/],
    ["a missing field", answer(200, [{ id: space.id, name: "Home" }]), /created_at/],
    ["a status the operation does not document", answer(409, { error: { code: "conflict", message: "x" } }), /409 is not a documented status/],
    ["an error without the error shape", answer(401, { message: "who?" }), /does not match/],
    ["another content type", new Response("<p>", { status: 200, headers: { "content-type": "text/html" } }), /text\/html/],
  ])("fails on %s", async (_what, res, message) => {
    await expect(checkResponse("GET", `${BASE}/api/spaces`, res)).rejects.toThrow(message);
  });

  it("fails on a route the document does not have, unless it was refused", async () => {
    await expect(checkResponse("GET", `${BASE}/api/secret`, answer(200, {}))).rejects.toThrow(/not in the OpenAPI document/);
    await expect(checkResponse("GET", `${BASE}/api/secret`, answer(404, { error: { code: "not_found", message: "No route" } }))).resolves.toBeUndefined();
  });
});

describe("GET /api/docs", () => {
  it("renders every operation and schema as a page that loads nothing from elsewhere", async () => {
    const res = await exports.default.fetch(new Request(`${BASE}/api/docs`));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await res.text();
    const doc = await document();
    for (const { op } of operations(doc)) expect(html).toContain(`id="${op.operationId}"`);
    for (const name of Object.keys(doc.components.schemas)) expect(html).toContain(`id="schema-${name}"`);
    expect(html).not.toMatch(/<script/);
    // Stylesheets from this worker only: nothing to fetch from a CDN, so the page works offline.
    for (const [, url] of html.matchAll(/(?:src|href)="([^"#]+)"/g)) expect(url, url).toMatch(/^(\/|data:)/);
    expect((await exports.default.fetch(new Request(`${BASE}/ui/docs.css`))).status).toBe(200);
  });
});
