// Settings UI sessions in D1: the server-side half of the session cookie. A signed, unexpired cookie counts only
// while its row is here; sign-out deletes the row, so a copy of the cookie taken earlier stops working.
import { eq, lte } from "drizzle-orm";
import type { Db } from "./client";
import { uiSessions } from "./schema";

/** Records a new session and forgets the expired ones (sign-in is rare, so it is where the sweep happens). */
export async function recordSession(db: Db, nonce: string, expiresAt: number, now: number): Promise<void> {
  await db.batch([db.delete(uiSessions).where(lte(uiSessions.expiresAt, now)), db.insert(uiSessions).values({ nonce, expiresAt, createdAt: now })]);
}

export async function sessionRecorded(db: Db, nonce: string, now: number): Promise<boolean> {
  const row = await db.select({ expiresAt: uiSessions.expiresAt }).from(uiSessions).where(eq(uiSessions.nonce, nonce)).get();
  return !!row && row.expiresAt > now;
}

export async function endSession(db: Db, nonce: string): Promise<void> {
  await db.delete(uiSessions).where(eq(uiSessions.nonce, nonce)).run();
}
