// Twilio's "magic" recipient numbers (test credentials, https://www.twilio.com/docs/iam/test-credentials): texting
// one of these makes the emulator refuse the send with the error Twilio gives for it, so a refused reply can be
// tried locally (the phone page can text from one) and in tests, through the same path a real refusal takes.

export interface MagicRefusal {
  status: number;
  code: number;
  message: string;
}

const MAGIC_TO: Record<string, MagicRefusal> = {
  "+15005550001": { status: 400, code: 21211, message: "The 'To' number +15005550001 is not a valid phone number." },
  "+15005550002": { status: 400, code: 21612, message: "The 'To' phone number: +15005550002, is not currently reachable using the 'From' phone number via SMS." },
  "+15005550003": { status: 400, code: 21408, message: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: +15005550003." },
  "+15005550004": { status: 400, code: 21610, message: "Attempt to send to unsubscribed recipient" },
  "+15005550009": { status: 400, code: 21614, message: "'To' number +15005550009 is not a valid mobile number" },
};

/** The refusal Twilio answers a Messages create to `to` with, if `to` is one of its magic numbers. */
export function magicRefusal(to: string): MagicRefusal | null {
  return MAGIC_TO[to] ?? null;
}
