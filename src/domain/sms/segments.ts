// How many billable SMS segments a body costs, counted the way Twilio does, so callers can see what a reply
// costs before sending it and benchmarks can compare bodies.
import { encodingOf, septetsOf, type SmsEncoding } from "./gsm7";

export interface SegmentCount {
  encoding: SmsEncoding;
  /** Billable parts; an empty body still counts as one. */
  segments: number;
  /** Septets for GSM-7, UTF-16 code units for UCS-2. */
  units: number;
}

// A single message carries 140 octets; a concatenated part gives 6 of them to the header (UDH).
export const GSM7_SINGLE = 160;
export const GSM7_PART = 153;
export const UCS2_SINGLE = 70;
export const UCS2_PART = 67;

export function countSegments(text: string): SegmentCount {
  const encoding = encodingOf(text);
  // Each character's cost is indivisible: an extension character's escape+char pair and a UTF-16 surrogate pair
  // must land in the same part, so a part can end short of its limit.
  const costs: number[] = [];
  for (const char of text) costs.push(encoding === "GSM-7" ? septetsOf(char) : char.length);
  const single = encoding === "GSM-7" ? GSM7_SINGLE : UCS2_SINGLE;
  const part = encoding === "GSM-7" ? GSM7_PART : UCS2_PART;
  return { encoding, segments: packParts(costs, single, part), units: costs.reduce((a, b) => a + b, 0) };
}

function packParts(costs: readonly number[], single: number, part: number): number {
  const total = costs.reduce((a, b) => a + b, 0);
  if (total <= single) return 1;
  let parts = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > part) {
      parts += 1;
      used = 0;
    }
    used += cost;
  }
  return parts;
}
