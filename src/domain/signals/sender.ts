// Who sent a signal, in the terms a waiting agent can act on: services send codes from short codes and
// alphanumeric sender ids, people from phone numbers.
import { E164, SHORT_CODE } from "../phone";

export type SenderKind = "e164" | "short_code" | "alphanumeric" | "other";

export interface Sender {
  address: string;
  kind: SenderKind;
}

// Alphanumeric sender ids are at most 11 characters and must hold a letter (all digits would be a short code).
const ALPHANUMERIC = /^(?=.*[A-Za-z])[A-Za-z0-9 .&_-]{1,11}$/;

export function classifySender(from: string): Sender {
  const address = from.trim();
  if (E164.test(address)) return { address, kind: "e164" };
  if (SHORT_CODE.test(address)) return { address, kind: "short_code" };
  if (ALPHANUMERIC.test(address)) return { address, kind: "alphanumeric" };
  return { address, kind: "other" };
}
