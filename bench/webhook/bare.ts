// The baseline: a worker that answers every request with empty TwiML and does nothing else.
export default {
  fetch: () => new Response('<?xml version="1.0" encoding="UTF-8"?><Response/>', { headers: { "content-type": "text/xml; charset=utf-8" } }),
};
