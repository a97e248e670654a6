// What kind of message a signal is, as a small fixed set a watch can filter on ("only delivery updates") without an
// LLM: keyword rules over the annotated text, plus the facts annotation already found (codes, links, the sender's
// kind). Deterministic and linear in the body, which annotation has already cut to MAX_SIGNAL_BODY_LENGTH.
import {
  AMOUNT,
  APPOINTMENT,
  AUTH_LINK,
  AUTH_LINK_TEXT,
  DELIVERY,
  MARKETING,
  NOT_YOU,
  PAYMENT,
  SECURITY_EVENT,
  SERVICE_MARK,
} from "./category-words";
import type { Sender } from "./sender";

/** The categories, in the order a signal lists them. README ("Signal categories") says what each means. */
export const CATEGORIES = ["verification_code", "magic_link", "delivery", "appointment", "payment", "security_alert", "marketing", "personal"] as const;
export type Category = (typeof CATEGORIES)[number];

export const isCategory = (value: string): value is Category => (CATEGORIES as readonly string[]).includes(value);

export interface CategoryInput {
  /** The readable body, folded to ASCII digits (as annotation reads it). */
  text: string;
  sender: Sender;
  /** The codes annotation found, best first. */
  codes: readonly string[];
  links: readonly string[];
}

/**
 * A signal's categories; none when nothing fits (a privacy-policy notice). A message may be several things at
 * once: a code that approves a payment is `verification_code` and `payment`.
 */
export function categorize(input: CategoryInput): Category[] {
  const { text, sender, codes, links } = input;
  const code = codes.length > 0;
  const magicLink = links.length > 0 && (links.some((l) => AUTH_LINK.test(l)) || AUTH_LINK_TEXT.test(text));
  const marketing = MARKETING.test(text);
  // "Not you?" after a code or a sign-in link is the sender's boilerplate; on its own it is the point.
  const securityAlert = SECURITY_EVENT.test(text) || (!code && !magicLink && NOT_YOU.test(text));
  const found: Record<Category, boolean> = {
    verification_code: code,
    magic_link: magicLink,
    delivery: DELIVERY.test(text),
    appointment: APPOINTMENT.test(text),
    // A price in a promotion ("from Rs. 4,999") is an offer, not money moving.
    payment: PAYMENT.test(text) || (!marketing && AMOUNT.test(text)),
    security_alert: securityAlert,
    marketing,
    // People text from phone numbers and write neither codes, offers, alerts nor a service's formulas.
    personal: sender.kind === "e164" && !code && !magicLink && !marketing && !securityAlert && !SERVICE_MARK.test(text),
  };
  return CATEGORIES.filter((c) => found[c]);
}
