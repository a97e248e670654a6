// After every test file: the Twilio emulator saw no request it has no route for (and none with parameters Twilio
// would refuse). It answers those 404/400 and records them rather than failing the request's test, so a call the
// app should never make (a wrong path, an unknown field) fails here, in the file that made it. The list is emptied
// as it is read, so one file's mistake is reported once (with two files running side by side, possibly by the other).
import { env } from "cloudflare:workers";
import { afterAll, expect } from "vitest";

afterAll(async () => {
  const res = await fetch(`${env.TWILIO_API_BASE}/__fake/unexpected`, { method: "DELETE" });
  const { unexpected } = (await res.json()) as { unexpected: string[] };
  expect(unexpected, "requests the Twilio emulator has no route for").toEqual([]);
});
