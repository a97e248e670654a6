// The settings UI's static files by URL name (/ui/<name>), served from string modules: nothing to build, nothing
// fetched from a CDN, so the UI works offline.
import { channelJs } from "./channel";
import { coreJs } from "./core";
import { css } from "./css";
import { docsCss } from "./docs";
import { formsJs } from "./forms";
import { policiesJs } from "./policies";
import { policyCheckJs } from "./policy-check";
import { replyCss } from "./reply";
import { watchesJs } from "./watches";

const js = "text/javascript; charset=utf-8";

// A Map, not an object literal: a lookup by URL name must not find what every object inherits (/ui/__proto__).
export const ASSETS: ReadonlyMap<string, { type: string; body: string }> = new Map([
  ["app.css", { type: "text/css; charset=utf-8", body: css }],
  ["docs.css", { type: "text/css; charset=utf-8", body: docsCss }],
  ["core.js", { type: js, body: coreJs }],
  ["forms.js", { type: js, body: formsJs }],
  ["channel.js", { type: js, body: channelJs }],
  ["policies.js", { type: js, body: policiesJs }],
  ["policy-check.js", { type: js, body: policyCheckJs }],
  ["watches.js", { type: js, body: watchesJs }],
  ["reply.css", { type: "text/css; charset=utf-8", body: replyCss }],
]);
