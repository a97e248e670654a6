// Outbound message status as Twilio reports it through status callbacks, which can arrive late, twice or out of
// order. A monotone state machine: a status only replaces one of lower rank, so "delivered" followed by a late
// "sent" stays delivered, and a duplicate is a no-op.

export const OUTBOUND_STATUSES = ["pending", "accepted", "scheduled", "queued", "sending", "sent", "delivered", "undelivered", "failed", "read", "canceled"] as const;
export type OutboundStatus = (typeof OUTBOUND_STATUSES)[number];

const RANK: Record<OutboundStatus, number> = {
  pending: 0,
  accepted: 1,
  scheduled: 1,
  queued: 2,
  sending: 3,
  sent: 4,
  delivered: 5,
  undelivered: 5,
  failed: 5,
  canceled: 5,
  read: 6,
};

/** The rank of each status, for stores that must refuse to move one down (the D1 copy's conditional write). */
export const STATUS_RANKS: Readonly<Record<OutboundStatus, number>> = RANK;

export const isOutboundStatus = (s: string): s is OutboundStatus => (OUTBOUND_STATUSES as readonly string[]).includes(s);
export const isFinal = (s: OutboundStatus) => RANK[s] >= 5;

/** The status after applying `next` to `current`; `changed` is false when `next` is stale or a duplicate. */
export function advanceStatus(current: string, next: string): { status: string; changed: boolean } {
  if (!isOutboundStatus(next)) return { status: current, changed: false };
  if (!isOutboundStatus(current)) return { status: next, changed: true };
  // Only "read" may follow a final status, and only after delivery.
  if (isFinal(current) && !(next === "read" && current === "delivered")) return { status: current, changed: false };
  return RANK[next] > RANK[current] ? { status: next, changed: true } : { status: current, changed: false };
}
