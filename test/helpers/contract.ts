// Every response the integration tests get through the helpers is checked against the generated OpenAPI document:
// its operation must exist, its status must be documented, and a JSON body must validate against the schema the
// document gives for that status (with @cfworker/json-schema, which runs in workerd). Drift fails the test.
import { Validator, type Schema } from "@cfworker/json-schema";
import { app } from "../../src/app";
import { buildOpenApiDocument } from "../../src/routes/openapi";

type Node = Record<string, any>;

let built: Node | undefined;
export const openApi = (): Node => (built ??= buildOpenApiDocument(app.routes));

let matchers: { method: string; path: string; pattern: RegExp; params: number; op: Node }[] | undefined;

/** The documented operation that `method pathname` reaches (the one with the fewest path parameters if several). */
export function operationFor(method: string, pathname: string): { path: string; op: Node } | undefined {
  matchers ??= Object.entries(openApi().paths as Node).flatMap(([path, item]: [string, Node]) =>
    Object.entries(item).map(([m, op]) => ({
      method: m,
      path,
      pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{\w+\}/g, "[^/]+")}$`),
      params: (path.match(/\{/g) ?? []).length,
      op,
    })),
  );
  const found = matchers.filter((m) => m.method === method.toLowerCase() && m.pattern.test(pathname)).sort((a, b) => a.params - b.params)[0];
  return found && { path: found.path, op: found.op };
}

const validators = new Map<string, Validator>();

/** Validates `value` against a schema from the document (its $refs resolved within `components`, the document's). */
export function validateAgainst(schema: Node, value: unknown, { components = openApi().components, key = JSON.stringify(schema) }: { components?: Node; key?: string } = {}): string[] {
  let v = validators.get(key);
  if (!v) {
    v = new Validator({ ...structuredClone(schema), components: structuredClone(components) } as Schema, "2020-12", false);
    validators.set(key, v);
  }
  const result = v.validate(value);
  return result.valid ? [] : result.errors.map((e) => `${e.instanceLocation}: ${e.error}`);
}

/** The response object the document gives for this status (a shared one under components/responses resolved). */
export function documentedResponse(op: Node, status: number): Node | undefined {
  const r = op.responses[String(status)];
  return r?.$ref ? openApi().components.responses[r.$ref.split("/").pop()] : r;
}

const JSON_TYPE = /^application\/([\w.+-]+\+)?json$/;

/** Throws when the response is not what the document says `method url` answers with this status. */
export async function checkResponse(method: string, url: string, res: Response): Promise<void> {
  const { pathname } = new URL(url);
  const found = operationFor(method, pathname);
  if (!found) {
    // A path no operation describes may only be refused, with the usual error body.
    const refused = res.status >= 400 && res.headers.get("content-type")?.startsWith("application/json") && !validateAgainst({ $ref: "#/components/schemas/Error" }, await res.clone().json()).length;
    if (!refused) throw new Error(`contract: ${method} ${pathname} is not in the OpenAPI document, yet answered ${res.status}`);
    return;
  }
  const where = `${method} ${found.path} → ${res.status}`;
  const documented = documentedResponse(found.op, res.status);
  if (!documented) throw new Error(`contract: ${where} is not a documented status (documented: ${Object.keys(found.op.responses).join(", ")})`);
  // A WebSocket's frames are checked where they are read; an answer documented without a body has none to check.
  if (res.status === 101 || !documented.content) return;
  const type = (res.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  // A documented media range (image/*) covers each of its types, as OpenAPI has it.
  const media = documented.content[type] ?? documented.content[`${type.split("/")[0]}/*`];
  if (!media) throw new Error(`contract: ${where} came as ${type || "no content type"}; documented: ${Object.keys(documented.content).join(", ")}`);
  if (!JSON_TYPE.test(type) || !media.schema) return;
  const problems = validateAgainst(media.schema, await res.clone().json());
  if (problems.length) throw new Error(`contract: ${where} does not match its documented schema:\n  ${problems.slice(0, 8).join("\n  ")}`);
}

/** A WebSocket frame of `method url`, parsed and checked against the schema its 101 answer documents. */
export function documentedFrame(method: string, url: string, data: unknown): any {
  const found = operationFor(method, new URL(url).pathname);
  const schema = found && documentedResponse(found.op, 101)?.content?.["application/json"]?.schema;
  if (!schema) throw new Error(`contract: ${method} ${url} documents no WebSocket frames`);
  const frame = JSON.parse(String(data));
  const problems = validateAgainst(schema, frame);
  if (problems.length) throw new Error(`contract: a frame of ${method} ${found.path} does not match its documented schema:\n  ${problems.slice(0, 8).join("\n  ")}`);
  return frame;
}
