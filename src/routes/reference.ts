// GET /api/openapi.json and GET /api/docs: the generated API reference, as JSON and as a page. Public (mounted
// before the admin check): they describe the API and expose no data. Built once per isolate from the app's routes.
import { Hono } from "hono";
import type { RouterRoute } from "hono/types";
import { z } from "zod";
import { uiHeaders } from "../ui/guard";
import { ApiDocsPage } from "../ui/pages/api-docs";
import { render } from "../ui/render";
import { route } from "./contract";
import { buildOpenApiDocument } from "./openapi";

export function referenceRoutes(routes: () => RouterRoute[]) {
  let built: Record<string, unknown> | undefined;
  const document = () => (built ??= buildOpenApiDocument(routes()));
  return new Hono<{ Bindings: Env }>()
    .get(
      "/openapi.json",
      route({
        operationId: "getOpenApi",
        tag: "meta",
        summary: "This document: OpenAPI 3.1, generated from the routes' schemas.",
        auth: "none",
        responses: { 200: { description: "The OpenAPI document.", schema: z.looseObject({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) }), example: { openapi: "3.1.0", info: { title: "textgate" }, paths: {} } } },
        errors: [],
      }),
      (c) => c.json(document()),
    )
    .get(
      "/docs",
      uiHeaders,
      route({
        operationId: "getApiDocs",
        tag: "meta",
        summary: "The same reference as a page to read (no script, nothing from a CDN: it works offline).",
        auth: "none",
        responses: { 200: { description: "An HTML page.", type: "text/html", schema: z.string(), example: "<!DOCTYPE html><html lang=\"en\">…</html>" } },
        errors: [],
      }),
      (c) => c.html(render(ApiDocsPage, { doc: document() })),
    );
}
