// Why a webhook's X-Twilio-Signature did not match. Twilio signs the exact URL it called; behind a proxy or tunnel
// that is often not SERVER_EXTERNAL_URL. So a refused request is tried against the URL it actually reached and the
// one its forwarding headers describe (X-Forwarded-Proto/Host, CF-Visitor): one that verifies names the setting to
// fix; none means the auth token itself no longer matches. The request stays refused either way.
import { z } from "zod";
import { validateTwilioSignature, type FormParams } from "./signature";

/** What the route saw of the request, for this diagnosis only (never for the verification itself). */
export interface SeenRequest {
  /** The URL the request reached, as the worker saw it. */
  url: string;
  forwardedProto: string | null;
  forwardedHost: string | null;
  cfVisitor: string | null;
}

export type SignatureDiagnosis =
  | { kind: "unsigned" }
  | { kind: "no_external_url" }
  /** Twilio signed `signedUrl`; we expected `expectedUrl`; `externalUrl` is the SERVER_EXTERNAL_URL that fixes it. */
  | { kind: "url_mismatch"; signedUrl: string; expectedUrl: string; externalUrl: string }
  | { kind: "token"; expectedUrl: string };

const HOST = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](:\d{1,5})?$/;
const visitor = z.object({ scheme: z.enum(["http", "https"]) });
const WEBHOOK_PATH = "/webhooks/twilio/sms/";

const first = (header: string | null) => header?.split(",")[0]?.trim().toLowerCase() || null;

function forwardedScheme(seen: SeenRequest): "http" | "https" | null {
  const proto = first(seen.forwardedProto);
  if (proto === "http" || proto === "https") return proto;
  if (!seen.cfVisitor || seen.cfVisitor.length > 200) return null;
  try {
    const v = visitor.safeParse(JSON.parse(seen.cfVisitor));
    return v.success ? v.data.scheme : null;
  } catch {
    return null;
  }
}

/** The URLs Twilio may have signed: the one reached, then the one the forwarding headers describe. */
export function candidateUrls(seen: SeenRequest): string[] {
  let reached: URL;
  try {
    reached = new URL(seen.url);
  } catch {
    return [];
  }
  const out = [reached.href];
  const scheme = forwardedScheme(seen);
  const host = first(seen.forwardedHost);
  const goodHost = host && HOST.test(host) ? host : null;
  if (scheme || goodHost) out.push(`${scheme ?? reached.protocol.slice(0, -1)}://${goodHost ?? reached.host}${reached.pathname}${reached.search}`);
  return [...new Set(out)];
}

/** The SERVER_EXTERNAL_URL that would make our webhook URL equal the signed one: everything before the webhook path. */
function externalUrlFor(signedUrl: string): string {
  const at = signedUrl.indexOf(WEBHOOK_PATH);
  return at === -1 ? new URL(signedUrl).origin : signedUrl.slice(0, at);
}

export async function diagnoseSignature(input: {
  authToken: string;
  signature: string | null;
  params: FormParams;
  /** The URL we verify against (SERVER_EXTERNAL_URL based, with the request's suffix and query), or null if unset. */
  expectedUrl: string | null;
  seen: SeenRequest;
}): Promise<SignatureDiagnosis> {
  if (!input.signature) return { kind: "unsigned" };
  if (!input.expectedUrl) return { kind: "no_external_url" };
  for (const url of candidateUrls(input.seen)) {
    if (url === input.expectedUrl) continue;
    if (await validateTwilioSignature(input.authToken, input.signature, url, input.params)) {
      return { kind: "url_mismatch", signedUrl: url, expectedUrl: input.expectedUrl, externalUrl: externalUrlFor(url) };
    }
  }
  return { kind: "token", expectedUrl: input.expectedUrl };
}
