// Red-team tests for Twilio's error codes on a reply (issue 14 §4): a refusal whose code is no Twilio code (a
// fraction, a 22-digit number), whose message is HTML and very long, and whose more_info is a
// javascript: URL. The reply keeps a readable, bounded error, and the settings UI escapes it and links nothing.
import { describe, expect, it } from "vitest";
import { uiPage } from "../helpers/api";
import { outbound, settledTurns } from "../helpers/turns";
import { injectFault, pair, seedChannel, sms } from "../helpers/twilio";

const OWNER = "+15557770081";
const HOSTILE = `<img src=x onerror="alert(1)"><script>alert(2)</script>`;

async function refusedWith(fault: { code: unknown; message: string }) {
  const { account, channel } = await seedChannel();
  await pair(channel, account.token, OWNER);
  await injectFault(account.sid, { match: "Messages.json", method: "POST", status: 400, body: JSON.stringify({ code: fault.code, message: fault.message, more_info: "javascript:alert(3)", status: 400 }) });
  await sms(channel, account.token, OWNER, "hello");
  const [turn] = await settledTurns(channel.id);
  expect(turn.status).toBe("failed");
  const [reply] = await outbound(channel.id);
  return { channel, reply };
}

describe("a refusal whose code is not a Twilio error code", () => {
  for (const code of [30007.5, 1e21]) {
    it(`code ${JSON.stringify(code)}: stored as the HTTP status, the message kept and escaped in the UI`, async () => {
      const { channel, reply } = await refusedWith({ code, message: `${HOSTILE} ${"x".repeat(10_000)}` });
      expect(reply.status).toBe("failed");
      expect(reply.error_code).toBe("http_400");
      expect(reply.error.message.startsWith(HOSTILE)).toBe(true);
      expect(reply.error.message.length).toBeLessThan(1_000);
      expect(reply.error.more_info).toBeNull();
      const html = await uiPage(`/settings/channels/${channel.id}/parts/messages`);
      expect(html).not.toContain("<img src=x");
      expect(html).not.toContain("<script>alert");
      expect(html).not.toContain("javascript:");
      expect(html).toContain("&lt;img src=x");
    });
  }
});
