// Twilio webhooks. The route only frames the request, after turning away ids that are not our channels (reaching
// an object would create it); the channel object checks the signature against the configured public URL before it
// parses the form strictly or stores anything, then dedupes and persists before we answer.
import { Hono } from "hono";
import { z } from "zod";
import { channelStub, isChannelId } from "../channel/client";
import type { InboundOutcome, SignedRequest } from "../channel/object";
import { EMPTY_TWIML, TWIML_HEADERS } from "../domain/twilio/twiml";
import { InboundFields, StatusFields } from "../domain/twilio/webhook-form";
import { readAtMost } from "../lib/bytes";
import { AppError } from "../lib/errors";
import { component } from "./schemas/common";
import { route, type RouteSpec } from "./contract";

const MAX_BODY = 64 * 1024;
const utf8 = new TextDecoder();

async function readForm(req: Request): Promise<string> {
  const type = req.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    throw new AppError(415, "unsupported_media_type", "Twilio webhooks are application/x-www-form-urlencoded.");
  }
  const declared = req.headers.get("content-length");
  if (Number(declared ?? 0) > MAX_BODY) throw tooLarge();
  // arrayBuffer + decode rather than req.text(): workerd's text() on a streamed body costs several times more CPU
  // (measured: bench/webhook loses a quarter of its throughput to it under wrangler dev). With a declared length
  // HTTP framing ends the body there; a body streamed without one is counted as it is read, so one sent before
  // any signature check cannot make us buffer megabytes first.
  const bytes = declared !== null ? new Uint8Array(await req.arrayBuffer()) : await readAtMost(req.body, MAX_BODY);
  if (!bytes || bytes.byteLength > MAX_BODY) throw tooLarge();
  return utf8.decode(bytes);
}

const tooLarge = () => new AppError(413, "payload_too_large", "Webhook body is too large.");

function respond(outcome: InboundOutcome): Response {
  switch (outcome.status) {
    case "accepted":
      return new Response(EMPTY_TWIML, { headers: TWIML_HEADERS });
    case "unknown_channel":
      throw new AppError(404, "not_found", "channel not found");
    case "bad_signature":
      throw new AppError(403, "invalid_signature", "X-Twilio-Signature is missing or does not match this request.");
    case "invalid_webhook":
      throw new AppError(400, "invalid_webhook", outcome.message, { field: outcome.field });
    case "failed_midway":
      // 500, as for anything that failed on our side: Twilio retries the webhook, and the channel object redoes it.
      throw new AppError(500, "internal_error", "The message could not be stored just now; Twilio's retry of this webhook completes it.");
  }
}

/** The signed parts of a webhook, plus what a proxy may have changed about its URL (only to explain a refusal). */
function signed(c: { req: { url: string; header(name: string): string | undefined } }, body: string): SignedRequest {
  const header = (name: string) => c.req.header(name)?.slice(0, 300) ?? null;
  return {
    query: new URL(c.req.url).search,
    signature: c.req.header("x-twilio-signature") ?? null,
    body,
    seen: { url: c.req.url, forwardedProto: header("x-forwarded-proto"), forwardedHost: header("x-forwarded-host"), cfVisitor: header("cf-visitor") },
  };
}

const FORM = "application/x-www-form-urlencoded";
const Params = z.object({ channelId: z.string().describe("The channel's id (ch_…).") });
const SID = `SM${"0123456789abcdef".repeat(2)}`;
const ACCOUNT = `AC${"0123456789abcdef".repeat(2)}`;
const twiml = { 200: { description: "Accepted: an empty TwiML <Response/>.", type: "text/xml", schema: z.string(), example: EMPTY_TWIML } };
const webhook = (operationId: string, summary: string, schema: z.ZodType, example: Record<string, string>): RouteSpec => ({
  operationId,
  tag: "webhooks",
  summary,
  description: "Called by Twilio, not by you. The signature is checked against SERVER_EXTERNAL_URL before the form is read; the form is then parsed strictly (400 invalid_webhook names the field).",
  auth: "twilio",
  params: Params,
  accepts: { [FORM]: { schema, example } },
  responses: twiml,
  errors: [400, 404, 415],
});
const inbound = webhook("twilioInboundSms", "Twilio's inbound SMS webhook (the number's SmsUrl).", component("TwilioInbound", InboundFields), {
  MessageSid: SID,
  SmsSid: SID,
  AccountSid: ACCOUNT,
  From: "+15559876543",
  To: "+15550001111",
  Body: "what is on today?",
  NumMedia: "0",
  NumSegments: "1",
  ApiVersion: "2010-04-01",
});
const status = webhook("twilioStatusCallback", "Twilio's delivery status callback for a reply textgate sent.", component("TwilioStatus", StatusFields), {
  MessageSid: SID,
  AccountSid: ACCOUNT,
  MessageStatus: "delivered",
  ApiVersion: "2010-04-01",
});

export const webhookRoutes = new Hono<{ Bindings: Env }>()
  // Before the body is read or any object touched: an id that is not one of our channels is 404 here.
  .use("/twilio/sms/:channelId/*", async (c, next) => {
    if (!(await isChannelId(c.env, c.req.param("channelId")))) throw new AppError(404, "not_found", "channel not found");
    await next();
  })
  .post("/twilio/sms/:channelId", route(inbound), async (c) => {
    const id = c.req.param("channelId");
    return respond(await channelStub(c.env, id).receiveSms(id, signed(c, await readForm(c.req.raw))));
  })
  .post("/twilio/sms/:channelId/status", route(status), async (c) => {
    const id = c.req.param("channelId");
    return respond(await channelStub(c.env, id).receiveStatus(id, signed(c, await readForm(c.req.raw))));
  });
