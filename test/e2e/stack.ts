// The whole local stack for the browser test, as `npm start` runs it but on free ports with throwaway state: the
// Twilio emulator (auto status callbacks, the /phone page) and `wrangler dev --local` with its own --persist-to.
import { startFakeTwilio, type FakeTwilio } from "../../emulator/twilio.ts";
import { freePort, startWranglerDev, type DevServer } from "../../bench/lib/wrangler-dev.ts";

// The same emulator account and number `npm start` uses (scripts/start.ts).
export const EMULATOR_ACCOUNT_SID = "AC" + "0".repeat(32);
export const EMULATOR_AUTH_TOKEN = "emulator-auth-token";
export const EMULATOR_NUMBER = "+15005550006";
export const ADMIN_TOKEN = "e2e-admin-token";

export interface LocalStack {
  app: DevServer;
  emulator: FakeTwilio;
  /** An /api call with the bearer token; resolves to the status and parsed body. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export async function startLocalStack(): Promise<LocalStack> {
  const emulator = await startFakeTwilio(0, { host: "127.0.0.1" });
  emulator.addAccount({ sid: EMULATOR_ACCOUNT_SID, token: EMULATOR_AUTH_TOKEN, numbers: [{ phone_number: EMULATOR_NUMBER }], auto_status: true });
  const port = await freePort();
  let app: DevServer;
  try {
    app = await startWranglerDev({
      config: "wrangler.toml",
      migrate: true,
      port,
      // Every secret is given here so a developer's .dev.vars cannot leak into the run.
      vars: {
        SERVER_EXTERNAL_URL: `http://127.0.0.1:${port}`,
        ADMIN_TOKEN,
        ENCRYPTION_KEY: "e2e-encryption-key-not-for-production",
        TWILIO_API_BASE: emulator.url,
        TWILIO_MESSAGING_API_BASE: emulator.url,
        VOICE_TWILIO_ACCOUNT_SID: EMULATOR_ACCOUNT_SID,
        VOICE_TWILIO_AUTH_TOKEN: EMULATOR_AUTH_TOKEN,
        VOICE_TWILIO_FROM_NUMBER: EMULATOR_NUMBER,
        OPENAI_API_KEY: "",
        TURN_RETRY_DELAY_S: "1",
      },
    });
  } catch (e) {
    await emulator.close();
    throw e;
  }
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  return { app, emulator, api, stop: async () => (await app.stop(), await emulator.close()) };
}
