import { describe, expect, it } from "vitest";
import { advanceStatus } from "../../../src/domain/twilio/status";

const apply = (start: string, events: string[]) => events.reduce((s, e) => advanceStatus(s, e).status, start);

describe("outbound status machine", () => {
  it("moves forward through the normal path", () => {
    expect(apply("pending", ["queued", "sending", "sent", "delivered"])).toBe("delivered");
  });

  it("ends in the same place for every order of sent / delivered", () => {
    expect(apply("queued", ["delivered", "sent"])).toBe("delivered");
    expect(apply("queued", ["sent", "delivered"])).toBe("delivered");
    expect(apply("queued", ["sent", "sent", "delivered", "delivered"])).toBe("delivered");
  });

  it("keeps a failure final whatever arrives late", () => {
    for (const order of [["sent", "failed"], ["failed", "sent"], ["failed", "delivered"], ["undelivered", "sent", "queued"]]) {
      expect(apply("queued", order)).toBe(order.includes("undelivered") ? "undelivered" : "failed");
    }
    expect(apply("queued", ["delivered", "failed"])).toBe("delivered");
  });

  it("allows read only after delivered, and reports duplicates as unchanged", () => {
    expect(apply("queued", ["delivered", "read"])).toBe("read");
    expect(apply("queued", ["failed", "read"])).toBe("failed");
    expect(advanceStatus("sent", "sent")).toEqual({ status: "sent", changed: false });
    expect(advanceStatus("sent", "bogus")).toEqual({ status: "sent", changed: false });
    expect(advanceStatus("queued", "canceled")).toEqual({ status: "canceled", changed: true });
  });
});
