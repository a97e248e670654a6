// TwiML answers for the SMS webhook. textgate never replies inline (replies go through the Messages API, one per
// turn), so the acknowledgement is always an empty <Response/>.
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
export const TWIML_HEADERS = { "content-type": "text/xml; charset=utf-8" } as const;
