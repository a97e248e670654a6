// /api/docs: the OpenAPI document as a page people can read, rendered here on the server from the generated
// document itself (so it cannot disagree with /api/openapi.json), with no script and nothing from a CDN.
import type { FC } from "hono/jsx";
import { Layout } from "../layout";

/** JSON Schema and OpenAPI objects from our own generated document. */
type Node = { [key: string]: any };

const AUTH: Record<string, string> = { adminToken: "Admin token", agentKey: "Agent key" };
const METHODS = ["get", "post", "put", "patch", "delete"] as const;
const refName = (ref: string) => ref.slice(ref.lastIndexOf("/") + 1);
const pretty = (v: unknown) => JSON.stringify(v, null, 2);

function bounds(s: Node): string {
  const parts: string[] = [];
  if (s.format) parts.push(s.format);
  if (s.minLength !== undefined && s.maxLength !== undefined) parts.push(`${s.minLength}–${s.maxLength} chars`);
  else if (s.maxLength !== undefined) parts.push(`≤ ${s.maxLength} chars`);
  else if (s.minLength) parts.push(`≥ ${s.minLength} chars`);
  if (s.minimum !== undefined) parts.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER) parts.push(`≤ ${s.maximum}`);
  if (s.pattern && !s.format) parts.push(`/${s.pattern}/`);
  if (s.default !== undefined) parts.push(`default ${JSON.stringify(s.default)}`);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

/** A schema's type in a few words, with links to named schemas. */
const TypeOf: FC<{ s: Node | undefined }> = ({ s }) => {
  if (!s || Object.keys(s).filter((k) => k !== "description").length === 0) return <>any</>;
  if (s.$ref) return <a href={`#schema-${refName(s.$ref)}`}>{refName(s.$ref)}</a>;
  const options: Node[] | undefined = s.anyOf ?? s.oneOf;
  if (options) return <>{options.map((o, i) => <>{i > 0 && " | "}<TypeOf s={o} /></>)}</>;
  if (s.const !== undefined) return <code>{JSON.stringify(s.const)}</code>;
  if (s.enum) return <>{s.enum.map((v: unknown, i: number) => <>{i > 0 && " | "}<code>{JSON.stringify(v)}</code></>)}</>;
  const types: string[] = Array.isArray(s.type) ? s.type : [s.type ?? "object"];
  if (types.includes("array")) return <>array of <TypeOf s={s.items} /></>;
  return <>{types.join(" | ")}{bounds(s)}</>;
};

/** An object's fields as a table; a field that is itself an object gets its own table inside. */
const Fields: FC<{ s: Node }> = ({ s }) => {
  const options: Node[] | undefined = s.anyOf ?? s.oneOf;
  if (options?.some((o) => o.properties)) return <>{options.map((o, i) => <div class="variant"><p class="muted">{i === 0 ? "One of:" : "or:"}</p><Fields s={o} /></div>)}</>;
  const props: [string, Node][] = Object.entries(s.properties ?? {});
  if (!props.length) return <p><TypeOf s={s} /></p>;
  const required = new Set<string>(s.required ?? []);
  return (
    <table>
      <tbody>
        {props.map(([name, p]) => (
          <tr>
            <th scope="row"><code>{name}</code>{!required.has(name) && <span class="muted"> optional</span>}</th>
            <td>
              {p.properties ? <Fields s={p} /> : <TypeOf s={p} />}
              {p.description && <div class="muted">{p.description}</div>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
};

const Example: FC<{ value: unknown }> = ({ value }) => (value === undefined ? null : <pre>{typeof value === "string" ? value : pretty(value)}</pre>);

const Body: FC<{ content: Node | undefined }> = ({ content }) => (
  <>
    {Object.entries(content ?? {}).map(([type, media]: [string, Node]) => (
      <div class="media">
        <p><code>{type}</code> {!media.schema?.properties && <TypeOf s={media.schema} />}</p>
        {media.schema?.properties && <Fields s={media.schema} />}
        <Example value={media.example} />
      </div>
    ))}
  </>
);

const Operation: FC<{ method: string; path: string; op: Node; doc: Node }> = ({ method, path, op, doc }) => {
  const security: Node[] = op.security ?? doc.security;
  const auth = security.length ? security.map((s) => Object.keys(s).map((k) => AUTH[k] ?? k).join(" + ")).join(" or ") : "none";
  const responses: [string, Node][] = Object.entries(op.responses as Node);
  const own = responses.filter(([, r]) => !r.$ref);
  const shared = responses.filter(([, r]) => r.$ref);
  return (
    <section class="card op" id={op.operationId}>
      <h3><span class={`method ${method}`}>{method.toUpperCase()}</span> <code>{path}</code></h3>
      <p>{op.summary}</p>
      {op.description && <p>{op.description}</p>}
      <p class="muted">Auth: {auth} · operationId <code>{op.operationId}</code></p>
      {op.parameters?.length > 0 && (
        <table>
          <tbody>
            {op.parameters.map((p: Node) => (
              <tr>
                <th scope="row"><code>{p.name}</code> <span class="muted">{p.in}{p.required ? "" : ", optional"}</span></th>
                <td><TypeOf s={p.schema} />{p.description && <div class="muted">{p.description}</div>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {op.requestBody && (<><h4>Request</h4><Body content={op.requestBody.content} /></>)}
      <h4>Responses</h4>
      <dl>
        {own.map(([status, r]) => (
          <>
            <dt><strong>{status}</strong> {r.description}</dt>
            <dd><Body content={r.content} /></dd>
          </>
        ))}
      </dl>
      {shared.length > 0 && (
        <p class="muted">
          Errors (<a href="#schema-Error">Error</a>): {shared.map(([status], i) => <>{i > 0 && " · "}<a href={`#error-${status}`}>{status}</a></>)}
        </p>
      )}
    </section>
  );
};

export const ApiDocsPage: FC<{ doc: Node }> = ({ doc }) => {
  const ops = Object.entries(doc.paths as Node).flatMap(([path, item]: [string, Node]) => METHODS.filter((m) => item[m]).map((method) => ({ method, path, op: item[method] as Node })));
  const tags: string[] = doc.tags.map((t: Node) => t.name);
  return (
    <Layout title="API reference" area={null} styles={["docs"]}>
      <div class="docs">
        <h1>{doc.info.title} API reference</h1>
        <p>{doc.info.description}</p>
        <p>
          Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI {doc.openapi}). Send the admin token as
          <code> Authorization: Bearer &lt;ADMIN_TOKEN&gt;</code>; agent keys (<code>tgk_…</code>) work where an operation says so.
        </p>
        <nav aria-label="Operations" class="toc">
          {tags.map((tag) => (
            <div>
              <h2>{tag}</h2>
              <ul>
                {ops.filter((o) => o.op.tags?.[0] === tag).map((o) => (
                  <li><a href={`#${o.op.operationId}`}><span class={`method ${o.method}`}>{o.method.toUpperCase()}</span> {o.path}</a></li>
                ))}
              </ul>
            </div>
          ))}
        </nav>
        <h2 id="errors">Errors</h2>
        <p>Every error is an <a href="#schema-Error">Error</a>: <code>{"{\"error\":{\"code\",\"message\",\"details\"?}}"}</code>. Each operation lists the statuses it can answer with.</p>
        <dl>
          {Object.entries(doc.components.responses as Node).map(([name, r]: [string, Node]) => (
            <>
              <dt id={`error-${name.slice(1)}`}><strong>{name.slice(1)}</strong></dt>
              <dd>{r.description}</dd>
            </>
          ))}
        </dl>
        {tags.map((tag) => (
          <>
            <h2 id={`tag-${tag}`}>{tag}</h2>
            {ops.filter((o) => o.op.tags?.[0] === tag).map((o) => <Operation {...o} doc={doc} />)}
          </>
        ))}
        <h2 id="schemas">Schemas</h2>
        {Object.entries(doc.components.schemas as Node).map(([name, s]: [string, Node]) => (
          <section class="card" id={`schema-${name}`}>
            <h3>{name}</h3>
            {s.description && <p>{s.description}</p>}
            <Fields s={s} />
          </section>
        ))}
      </div>
    </Layout>
  );
};
