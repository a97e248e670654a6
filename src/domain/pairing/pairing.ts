// Pairing: a one-time code shown to the owner; texting it from a phone makes that phone a paired address.
// Codes use an alphabet without look-alikes (no 0/O, 1/I/L), expire, are compared in constant time on the
// trimmed, upper-cased body, and each sender gets a bounded number of wrong tries per code.
import { timingSafeEqual } from "../../lib/crypto";

export const PAIRING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
export const PAIRING_CODE_LENGTH = 6;
export const PAIRING_TTL_MS = 10 * 60 * 1000;
export const MAX_WRONG_TRIES = 5;

export interface PairingCode {
  code: string;
  expiresAt: number;
}

export function newPairingCode(now: number, ttlMs = PAIRING_TTL_MS): PairingCode {
  // Rejection sampling keeps every character equally likely (256 is not a multiple of the alphabet size).
  const limit = 256 - (256 % PAIRING_ALPHABET.length);
  let code = "";
  while (code.length < PAIRING_CODE_LENGTH) {
    for (const b of crypto.getRandomValues(new Uint8Array(16))) {
      if (b < limit && code.length < PAIRING_CODE_LENGTH) code += PAIRING_ALPHABET[b % PAIRING_ALPHABET.length];
    }
  }
  return { code, expiresAt: now + ttlMs };
}

export type PairingAttempt =
  | { status: "paired" }
  | { status: "no_code" }
  | { status: "expired" }
  | { status: "locked" }
  | { status: "wrong"; triesLeft: number };

/**
 * Decides what an SMS from an unpaired sender does to the active code. `wrongTries` is that sender's count of
 * earlier wrong tries against this code; the caller records a new wrong try when the result is "wrong".
 */
export function attemptPairing(active: PairingCode | null, body: string, wrongTries: number, now: number): PairingAttempt {
  if (!active) return { status: "no_code" };
  if (now >= active.expiresAt) return { status: "expired" };
  if (wrongTries >= MAX_WRONG_TRIES) return { status: "locked" };
  const candidate = body.trim().toUpperCase();
  if (timingSafeEqual(candidate, active.code)) return { status: "paired" };
  return { status: "wrong", triesLeft: Math.max(0, MAX_WRONG_TRIES - wrongTries - 1) };
}
