// Addresses as Twilio writes them: E.164 phone numbers (+15551234567) and short codes (22000); and the SIDs a
// channel is configured with (Twilio writes their hex in lowercase; people may not, so either case is accepted).

export const E164 = /^\+[1-9]\d{6,14}$/;
export const SHORT_CODE = /^\d{3,8}$/;
export const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
export const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;

export function isE164(value: string): boolean {
  return E164.test(value);
}

/** A sender address as it may arrive in `From`: E.164, a short code, or an alphanumeric sender id. */
export function isAddress(value: string): boolean {
  return E164.test(value) || SHORT_CODE.test(value) || /^[A-Za-z0-9 ]{1,11}$/.test(value);
}
