// What textgate reads from Twilio's REST answers, as schemas: an answer is parsed, never cast, so one of another
// shape (a proxy's page, an API change) becomes a clear `unexpected` failure instead of a crash in the caller.
// Fields textgate does not read are let through unchecked and dropped.
import { z } from "zod";

/** An IncomingPhoneNumber (api_v2010 IncomingPhoneNumber). */
export const IncomingNumberAnswer = z.object({
  sid: z.string(),
  phone_number: z.string(),
  capabilities: z.object({ sms: z.boolean().optional(), mms: z.boolean().optional(), voice: z.boolean().optional() }),
  sms_url: z.string().nullable(),
  sms_method: z.string().nullable(),
  /** A TwiML App that handles the number's texts instead of sms_url ("" or null when none). */
  sms_application_sid: z.string().nullish(),
});
export type IncomingNumber = z.output<typeof IncomingNumberAnswer>;

export const IncomingNumberPage = z.object({ incoming_phone_numbers: z.array(IncomingNumberAnswer) });

/** A Message as POST Messages.json answers it. */
export const MessageAnswer = z.object({
  sid: z.string(),
  status: z.string(),
  /** The sender Twilio used: picked from the service's Sender Pool when sent through a Messaging Service. */
  from: z.string().nullish(),
  error_code: z.number().nullable(),
  error_message: z.string().nullable(),
  num_segments: z.string().optional(),
});
export type TwilioMessage = z.output<typeof MessageAnswer>;

/** One entry of GET Messages.json, as much of it as reconciliation reads. */
export const ListedMessageAnswer = z.object({
  sid: z.string(),
  to: z.string(),
  from: z.string(),
  body: z.string(),
  status: z.string(),
  direction: z.string(),
  date_created: z.string(),
  error_code: z.number().nullable().optional(),
  messaging_service_sid: z.string().nullable().optional(),
});
export const MessagePage = z.object({ messages: z.array(ListedMessageAnswer), next_page_uri: z.string().nullable().optional() });

/** A Messaging Service (messaging v1), as much as textgate reads: where it sends the texts its numbers receive. */
export const MessagingServiceAnswer = z.object({
  sid: z.string(),
  friendly_name: z.string().nullish().transform((v) => v ?? null),
  inbound_request_url: z.string().nullish().transform((v) => v ?? null),
  inbound_method: z.string().nullish().transform((v) => v ?? null),
  /** true: texts to the service's numbers go to each number's own SmsUrl, whatever inbound_request_url says. */
  use_inbound_webhook_on_number: z.boolean().nullish().transform((v) => v ?? null),
});
export type MessagingService = z.output<typeof MessagingServiceAnswer>;

/** Twilio's error messages are a sentence: a longer one (a proxy's page, say) is cut before it is stored or shown. */
const MAX_ERROR_CHARS = 500;
const sentence = z.string().transform((s) => (s.length > MAX_ERROR_CHARS ? `${s.slice(0, MAX_ERROR_CHARS)}…` : s));

/**
 * Twilio's error body {code, message, more_info, status}; any part may be missing (a proxy's error page has none).
 * Its codes are whole numbers of up to six digits: anything else (a fraction, 1e21) is no code.
 */
export const ErrorAnswer = z.object({
  code: z.number().int().positive().lt(1_000_000).optional().catch(undefined),
  message: sentence.optional().catch(undefined),
  more_info: sentence.optional().catch(undefined),
});

/** Where an answer differs from what textgate reads, in a line (the first few problems). */
export function answerProblem(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join(".") || "the body"}: ${i.message}`)
    .join("; ");
}
