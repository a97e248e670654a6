// IncomingPhoneNumbers: how textgate finds a number in an account and points its SmsUrl at a channel.
import { type Route, json, notFound, route, twilioError } from "./http.ts";
import type { ApiContext } from "./api.ts";

/** IncomingPhoneNumber update parameters (twilio-oai, api_v2010 UpdateIncomingPhoneNumberRequest). */
const NUMBER_UPDATE_FIELDS = new Set([
  "AccountSid", "ApiVersion", "FriendlyName", "SmsApplicationSid", "SmsFallbackMethod", "SmsFallbackUrl", "SmsMethod", "SmsUrl",
  "StatusCallback", "StatusCallbackMethod", "VoiceApplicationSid", "VoiceCallerIdLookup", "VoiceFallbackMethod", "VoiceFallbackUrl",
  "VoiceMethod", "VoiceUrl", "EmergencyStatus", "EmergencyAddressSid", "TrunkSid", "VoiceReceiveMode", "IdentitySid", "AddressSid", "BundleSid",
]);

const BASE = "/2010-04-01/Accounts/:AccountSid/IncomingPhoneNumbers";

export const numberRoutes: Route<ApiContext>[] = [
  route("GET", `${BASE}.json`, ({ acct, url }) => {
    const want = url.searchParams.get("PhoneNumber");
    const list = acct.numbers.filter((n) => !want || n.phone_number === want);
    return json(200, { incoming_phone_numbers: list, page: 0, page_size: 50, next_page_uri: null });
  }),

  route("GET", `${BASE}/:Sid.json`, ({ acct, url }, { Sid }) => {
    const n = acct.numbers.find((x) => x.sid === Sid);
    return n ? json(200, n) : notFound(url.pathname);
  }),

  route("POST", `${BASE}/:Sid.json`, ({ acct, url, form, unexpected }, { Sid }) => {
    const n = acct.numbers.find((x) => x.sid === Sid);
    if (!n) return notFound(url.pathname);
    // Only the IncomingPhoneNumber update parameters Twilio documents; anything else is our bug, said loudly.
    const unknown = Object.keys(form).filter((k) => !NUMBER_UPDATE_FIELDS.has(k));
    if (unknown.length) {
      unexpected(`POST ${url.pathname} with ${unknown.join(", ")}`);
      return twilioError(400, 20001, `Unknown parameters: ${unknown.join(", ")}`);
    }
    if (form.SmsMethod !== undefined && form.SmsMethod !== "GET" && form.SmsMethod !== "POST") return twilioError(400, 21603, "SmsMethod must be GET or POST");
    if (form.SmsUrl !== undefined) n.sms_url = form.SmsUrl;
    if (form.SmsMethod !== undefined) n.sms_method = form.SmsMethod;
    if (form.SmsApplicationSid !== undefined) n.sms_application_sid = form.SmsApplicationSid;
    return json(200, n);
  }),
];
