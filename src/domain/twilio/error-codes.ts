// Twilio's error codes in the owner's words. A failed reply carries a five-digit code (from Twilio's answer to the
// send, or from a status callback's ErrorCode) that means nothing to most people; this table says what happened
// and what to do. Codes not listed still link to Twilio's own page for them. The README's table is built from the
// same entries (test/unit/twilio/error-codes.test.ts keeps the two in step).

export interface TwilioErrorInfo {
  /** Twilio's code ("30034"), textgate's own ("recipient_opted_out"), or null for a note without one. */
  code: string | null;
  /** Twilio's message when it gave one, else Twilio's title for the code. */
  message: string;
  explanation: string;
  hint: string | null;
  /** Twilio's page for the code (null for textgate's own codes). */
  more_info: string | null;
}

interface Entry {
  title: string;
  explanation: string;
  hint: string;
}

export const TWILIO_ERRORS: Readonly<Record<string, Entry>> = {
  "11200": {
    title: "HTTP retrieval failure",
    explanation: "Twilio could not fetch the picture or file of an MMS reply from this deployment's /m/ link, so it failed the message.",
    hint: "SERVER_EXTERNAL_URL must be this deployment's public https URL, reachable from the internet without a sign-in (no Cloudflare Access in front of /m/).",
  },
  "21211": {
    title: "Invalid 'To' phone number",
    explanation: "The recipient's number is not a valid phone number, so Twilio refused the reply.",
    hint: "Twilio needs E.164 (+15551234567). A sender that is a short code or a test number cannot be replied to.",
  },
  "21408": {
    title: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number",
    explanation: "Your Twilio account is not allowed to text numbers in the recipient's country (Geo Permissions).",
    hint: "Enable that country in the Twilio Console under Messaging → Settings → Geo permissions.",
  },
  "21606": {
    title: "The 'From' phone number provided is not a valid message-capable Twilio phone number for this destination/account",
    explanation: "The channel's number cannot send this message: it is not SMS-capable, not in this account, or cannot reach the recipient's country.",
    hint: "Check the number's capabilities in the Twilio Console, or send through a Messaging Service that has a number able to reach the recipient.",
  },
  "21610": {
    title: "Attempt to send to unsubscribed recipient",
    explanation: "The recipient texted STOP to this number (or its Messaging Service), so Twilio blocks every message to them.",
    hint: "Only the recipient can undo it: they text START to the number.",
  },
  "21612": {
    title: "The 'To' phone number is not currently reachable via SMS",
    explanation: "Twilio cannot connect the channel's number with the recipient (for example a number type or country this sender cannot reach).",
    hint: "Send from a number that can reach the recipient (a local number of their country, or a Messaging Service with one).",
  },
  "21614": {
    title: "'To' number is not a valid mobile number",
    explanation: "The recipient's number cannot receive text messages: it is most likely a landline.",
    hint: "Text the channel from a mobile phone.",
  },
  "21701": {
    title: "The Messaging Service does not exist",
    explanation: "The channel's messaging_service_sid names no Messaging Service in this Twilio account.",
    hint: "Copy the service's SID (MG…) from the Twilio Console (Messaging → Services) into the channel's Twilio settings, or clear it.",
  },
  "21703": {
    title: "The Messaging Service does not have a phone number available to send a message",
    explanation: "The channel's Messaging Service has senders, but none that can reach this recipient.",
    hint: "Add a number that can text the recipient's country to the service's Sender Pool in the Twilio Console.",
  },
  "21704": {
    title: "The Messaging Service contains no senders",
    explanation: "The channel's Messaging Service has no phone number to send from.",
    hint: "Add the channel's number to the service's Sender Pool in the Twilio Console (Messaging → Services → Sender Pool).",
  },
  "30003": {
    title: "Unreachable destination handset",
    explanation: "The recipient's phone could not take the message: switched off, out of coverage, or its memory is full.",
    hint: "Usually temporary. Ask the recipient to check their phone has signal; later replies may arrive.",
  },
  "30004": {
    title: "Message blocked",
    explanation: "The recipient's phone or carrier blocked the message (a blocked sender, or a block on this number or on business texts).",
    hint: "Ask the recipient to unblock the number, or to ask their carrier to lift the block.",
  },
  "30005": {
    title: "Unknown destination handset",
    explanation: "The carrier does not know the recipient's number: it is wrong, inactive or no longer in service.",
    hint: "Check the number; nothing can be delivered to it until it is in service again.",
  },
  "30006": {
    title: "Landline or unreachable carrier",
    explanation: "The recipient's number cannot receive this message: a landline, or a carrier that cannot be reached from this number.",
    hint: "Text the channel from a mobile phone.",
  },
  "30007": {
    title: "Message filtered",
    explanation: "Twilio or the carrier filtered the message as spam or unwanted traffic.",
    hint: "Register the number for US A2P 10DLC (or verify a toll-free number), keep link shorteners out of replies, and if it goes on send Twilio Support three or more message SIDs.",
  },
  "30008": {
    title: "Unknown error",
    explanation: "The carrier refused the message without saying why.",
    hint: "Try again later; if it keeps happening, send Twilio Support the message SID.",
  },
  "30032": {
    title: "Toll-Free Number Has Not Been Verified",
    explanation: "US and Canadian carriers block texts from a toll-free number that has not passed Twilio's toll-free verification.",
    hint: "Submit the number for toll-free verification in the Twilio Console (Messaging → Regulatory compliance).",
  },
  "30034": {
    title: "US A2P 10DLC - Message from an Unregistered Number",
    explanation: "US carriers block texts from a 10-digit number that is not in an approved A2P 10DLC campaign.",
    hint: "Register a brand and campaign in the Twilio Console (Messaging → Regulatory compliance → A2P 10DLC), add the number to the campaign's Messaging Service, and set that service's SID (MG…) as the channel's messaging_service_sid.",
  },
  "30038": {
    title: "OTP Message Body Filtered",
    explanation:
      "Twilio found a one-time passcode in a text sent to your number and failed it before calling any webhook: the code never reaches textgate. In signal mode a watch waiting for that code times out.",
    hint: "Have the service send the code another way (a voice call or email), use a number outside Twilio for verification codes, or ask Twilio Support whether inbound one-time passcodes can be allowed on your account.",
  },
  "30039": {
    title: "Filtered to Prevent Message Loops",
    explanation:
      "Twilio judged a text to your number to be machine-generated (another auto-responder, say) and failed it without calling the webhook, so two bots cannot answer each other forever. The agent never saw it.",
    hint: "Usually nothing to do. If the agent must answer such a sender, ask Twilio Support about the loop filter for your number.",
  },
};

/** textgate's own codes for a reply it did not send (ledger.ts): no Twilio page, but still a hint. */
const OWN_HINTS: Record<string, string> = {
  recipient_opted_out: "Only the recipient can undo it: they text START to the number.",
};

export const twilioErrorPage = (code: string) => `https://www.twilio.com/docs/errors/${code}`;

/** What a message's stored error means, or null when it has none. */
export function explainTwilioError(code: string | null, message: string | null): TwilioErrorInfo | null {
  if (!code && !message) return null;
  if (code && /^\d{5}$/.test(code)) {
    const entry = TWILIO_ERRORS[code];
    return {
      code,
      message: message ?? entry?.title ?? `Twilio error ${code}`,
      explanation: entry?.explanation ?? `Twilio reported error ${code} for this message.`,
      hint: entry?.hint ?? `Twilio's page for error ${code} lists its causes and fixes.`,
      more_info: twilioErrorPage(code),
    };
  }
  const words = message ?? code!.replace(/_/g, " ");
  return { code, message: words, explanation: words, hint: (code && OWN_HINTS[code]) ?? null, more_info: null };
}
