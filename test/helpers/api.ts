// Calls the worker the way a client does: through its default export's fetch, with the admin bearer token. Every
// answer is checked against the OpenAPI document first (test/helpers/contract.ts), so each test is a contract test.
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import { checkResponse } from "./contract";

export const BASE = "https://textgate.example";

/** The worker's answer to `request`, after checking it is one the API documents. */
export async function call(request: Request): Promise<Response> {
  const res = await exports.default.fetch(request);
  await checkResponse(request.method, request.url, res);
  return res;
}

export async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${env.ADMIN_TOKEN}`, ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] ??= "application/json";
  }
  return call(new Request(`${BASE}${path}`, init));
}

export async function json<T = any>(res: Response | Promise<Response>): Promise<T> {
  return (await res).json() as Promise<T>;
}

/** A space and an agent to hang channels on. */
export async function seedAgent(handle?: string) {
  const space = await json(api("POST", "/api/spaces", { name: "Home" }));
  const agent = await json(api("POST", "/api/agents", { name: "Assistant", space_id: space.id, ...(handle ? { handle } : {}) }));
  return { space, agent };
}

/** Signs in to the settings UI through its form; the Cookie header to send with page requests. */
export async function uiCookie(): Promise<string> {
  const res = await exports.default.fetch(
    new Request(`${BASE}/sign-in`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", origin: BASE }, body: new URLSearchParams({ token: env.ADMIN_TOKEN }).toString(), redirect: "manual" }),
  );
  return res.headers.get("set-cookie")!.split(";")[0]!;
}

/** A settings page (or part) as the signed-in owner sees it. */
export async function uiPage(path: string): Promise<string> {
  return (await exports.default.fetch(new Request(`${BASE}${path}`, { headers: { cookie: await uiCookie() } }))).text();
}

/**
 * A refusal as the API promises it: `status`, the error `code`, and for a validation error the fields its issues
 * name — so a 400 for some other reason does not pass for this one.
 */
export async function refused(res: Response | Promise<Response>, status: number, code: string, fields: string[] = []) {
  const r = await res;
  const body = await r.json<{ error: { code: string; message: string; details?: { issues?: { path: string }[] } } }>();
  expect({ status: r.status, code: body.error.code }).toEqual({ status, code });
  if (fields.length) expect(body.error.details?.issues?.map((i) => i.path)).toEqual(expect.arrayContaining(fields));
  return body.error;
}
