// The GSM 03.38 alphabet: which characters a carrier can send in 7-bit septets. One character outside it forces
// the whole message into UCS-2, which more than halves what fits in a segment, so everything else here asks this.

/** Encodings Twilio picks between; UCS-2 is used as soon as one character is outside GSM-7. */
export type SmsEncoding = "GSM-7" | "UCS-2";

// Basic character set, in table order (0x00-0x7F). ESC (0x1B) is left out: it only introduces the extension
// table and is not text an agent could mean to send.
const BASIC =
  "@£$¥èéùìòÇ\nØø\rÅå" +
  "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ" +
  " !\"#¤%&'()*+,-./" +
  "0123456789:;<=>?" +
  "¡ABCDEFGHIJKLMNO" +
  "PQRSTUVWXYZÄÖÑÜ§" +
  "¿abcdefghijklmno" +
  "pqrstuvwxyzäöñüà";

// Extension table: each costs an escape septet plus itself, so two septets.
const EXTENSION = "\f^{}\\[~]|€";

const BASIC_SET: ReadonlySet<string> = new Set(BASIC);
const EXTENSION_SET: ReadonlySet<string> = new Set(EXTENSION);

/** Septets one character costs in GSM-7: 1 (basic), 2 (extension) or 0 when it cannot be sent in GSM-7 at all. */
export function septetsOf(char: string): 0 | 1 | 2 {
  if (BASIC_SET.has(char)) return 1;
  if (EXTENSION_SET.has(char)) return 2;
  return 0;
}

export function isGsm7Char(char: string): boolean {
  return septetsOf(char) !== 0;
}

export function isGsm7(text: string): boolean {
  // Iterating a string yields code points, so an astral character (emoji) is checked whole.
  for (const char of text) if (septetsOf(char) === 0) return false;
  return true;
}

export function encodingOf(text: string): SmsEncoding {
  return isGsm7(text) ? "GSM-7" : "UCS-2";
}
