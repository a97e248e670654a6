// The README's API examples (the ```http blocks) are checked against the generated OpenAPI document: each names a
// real operation, sends a body its schema takes, and gets a documented status with fields the document has (answers
// may be abridged, so fields may be left out, but none may be made up). Every operation has an example there.
import { describe, expect, it } from "vitest";
import readme from "../../README.md?raw";
import { documentedResponse, openApi, operationFor, validateAgainst } from "../helpers/contract";

interface Example {
  method: string;
  url: URL;
  headers: string[];
  body: string;
  status: number;
  answer: string;
}

function examples(markdown: string): Example[] {
  const blocks = [...markdown.matchAll(/```http\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.flatMap((block) =>
    block
      .trim()
      .split(/\n\s*\n/)
      .map((chunk) => {
        const lines = chunk.split("\n");
        const [method, path] = lines[0]!.split(" ");
        const arrow = lines.findIndex((l) => l.startsWith("→ "));
        expect(arrow, chunk).toBeGreaterThan(0);
        const head = lines.slice(1, arrow);
        const headers = head.filter((l) => /^[A-Za-z-]+: /.test(l));
        const [, status, first] = /^→ (\d{3}) ?(.*)$/.exec(lines[arrow]!) ?? [];
        return {
          method: method!,
          url: new URL(path!, "https://textgate.example"),
          headers,
          body: head.filter((l) => !headers.includes(l)).join("\n"),
          status: Number(status),
          answer: [first, ...lines.slice(arrow + 1)].join("\n").trim(),
        };
      }),
  );
}

/** The schema with nothing required: an abridged answer may leave fields out, but each field it shows must fit. */
function abridged(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(abridged);
  if (!node || typeof node !== "object") return node;
  return Object.fromEntries(Object.entries(node).filter(([k]) => k !== "required").map(([k, v]) => [k, abridged(v)]));
}

const parsed = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

function check(abridgedValidation: boolean, schema: any, value: unknown): string[] {
  if (!abridgedValidation) return validateAgainst(schema, value);
  return validateAgainst(abridged(schema) as object, value, { components: abridged(openApi().components) as object, key: `abridged ${JSON.stringify(schema)}` });
}

describe("README API examples", () => {
  const all = examples(readme);

  it("cover every operation in the OpenAPI document", () => {
    const shown = new Set(all.map((e) => operationFor(e.method, e.url.pathname)?.op.operationId));
    const ops = Object.values<any>(openApi().paths).flatMap((item) => Object.values<any>(item).map((op) => op.operationId));
    expect(ops.filter((id) => !shown.has(id)), "operations without a README example").toEqual([]);
  });

  it.each(all.map((e) => [`${e.method} ${e.url.pathname}${e.url.search}`, e] as const))("%s matches the document", (_name, e) => {
    const found = operationFor(e.method, e.url.pathname);
    expect(found, "no such operation").toBeDefined();
    const { op } = found!;
    for (const key of e.url.searchParams.keys()) expect(op.parameters?.some((p: any) => p.in === "query" && p.name === key), `query ${key}`).toBe(true);
    for (const h of e.headers) expect(op.parameters?.some((p: any) => p.in === "header" && p.name === h.split(":")[0]!.toLowerCase()), h).toBe(true);

    if (e.body) {
      const content = op.requestBody?.content ?? {};
      const json = parsed(e.body);
      const [type, value] = json !== undefined ? ["application/json", json] : ["application/x-www-form-urlencoded", Object.fromEntries(new URLSearchParams(e.body))];
      expect(content[type], `${type} request`).toBeDefined();
      expect(check(false, content[type].schema, value), "request").toEqual([]);
    } else {
      expect(op.requestBody, "this operation takes a body").toBeUndefined();
    }

    const documented = documentedResponse(op, e.status);
    expect(documented, `status ${e.status}`).toBeDefined();
    const answer = parsed(e.answer);
    if (e.answer && answer === undefined) {
      // HTML, TwiML or an SSE stream: the document must say the answer is not JSON.
      expect(Object.keys(documented!.content ?? {}).some((t) => !t.includes("json")), "a non-JSON answer").toBe(true);
    } else if (e.answer) {
      expect(check(true, documented!.content["application/json"].schema, answer), "answer").toEqual([]);
    }
  });
});
