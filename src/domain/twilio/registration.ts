// Pointing a Twilio number at this deployment: find the number in the account, check it can do SMS and set its
// SmsUrl, and when the channel sends through a Messaging Service, check that service lets texts reach the SmsUrl.
// Each way this can fail maps to one reason code the API, UI and README troubleshooting table share.
import { judgeService } from "./messaging-service";
import { type TwilioClient, type TwilioFailure } from "./rest";

export type RegistrationErrorCode =
  | "bad_credentials"
  | "number_not_found"
  | "not_sms_capable"
  | "invalid_external_url"
  | "twilio_unreachable"
  | "twilio_error"
  | "messaging_service_not_found"
  | "messaging_service_inbound";

export interface RegistrationError {
  code: RegistrationErrorCode;
  message: string;
}

export type RegistrationResult = { ok: true; numberSid: string } | { ok: false; error: RegistrationError };

export function describeFailure(e: TwilioFailure, accountSid: string): RegistrationError {
  switch (e.kind) {
    case "auth":
      return { code: "bad_credentials", message: `Twilio rejected the credentials for account ${accountSid} (${e.code ?? e.status}: ${e.message}). Check the Account SID and Auth Token.` };
    case "network":
    case "timeout":
      return { code: "twilio_unreachable", message: `Twilio's API could not be reached: ${e.message}.` };
    case "server":
    case "rate_limited":
      return { code: "twilio_unreachable", message: `Twilio's API is not answering normally (HTTP ${e.status}: ${e.message}). Try again shortly.` };
    case "unexpected":
      return { code: "twilio_error", message: `${e.message}. Twilio may have changed its API, or something between textgate and Twilio answered instead.` };
    case "client":
      return { code: "twilio_error", message: `Twilio refused the request (HTTP ${e.status}${e.code ? `, error ${e.code}` : ""}: ${e.message}).` };
  }
}

export async function registerNumber(
  client: TwilioClient,
  input: { accountSid: string; fromNumber: string; smsUrl: string; messagingServiceSid?: string | null },
): Promise<RegistrationResult> {
  const found = await client.findIncomingNumber(input.fromNumber);
  if (!found.ok) return { ok: false, error: describeFailure(found.error, input.accountSid) };
  const number = found.value;
  if (!number) {
    return { ok: false, error: { code: "number_not_found", message: `${input.fromNumber} is not a phone number in Twilio account ${input.accountSid}.` } };
  }
  if (!number.capabilities?.sms) {
    return { ok: false, error: { code: "not_sms_capable", message: `${input.fromNumber} cannot send or receive SMS (its Twilio capabilities have sms: false).` } };
  }
  // A TwiML App on the number takes its texts whatever the SmsUrl says: detach it, or pointing the number here does nothing.
  const updated = await client.updateIncomingNumber(number.sid, { SmsUrl: input.smsUrl, SmsMethod: "POST", ...(number.sms_application_sid ? { SmsApplicationSid: "" as const } : {}) });
  if (!updated.ok) return { ok: false, error: describeFailure(updated.error, input.accountSid) };
  if (input.messagingServiceSid) {
    const verdict = judgeService(await client.getMessagingService(input.messagingServiceSid), input.messagingServiceSid, input.accountSid, input.smsUrl);
    if (verdict.status === "unread") return { ok: false, error: describeFailure(verdict.error, input.accountSid) };
    if (verdict.status === "fail") return { ok: false, error: { code: verdict.code, message: `${verdict.message} ${verdict.hint}` } };
  }
  return { ok: true, numberSid: number.sid };
}
