// Numbers that look like codes but are not: prices, dates, times, phone numbers, percentages, quantities. They
// are masked before codes are looked for, so a "$1299" or "2024" can never be picked however near "code" it is.
import { MASK, WORD_CHAR, maskAll } from "./text";

const W = WORD_CHAR;
const MONTH =
  "(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|ene|abr|ago|dic|janv|févr|fev|avr|mai|juin|juil|août|déc|" +
  "jän|märz|okt|dez|out|set|gen|giu|lug)[a-zéûä]*\\.?";
const CURRENCY_BEFORE = "(?:[$€£¥₹₽₩₺₦₱฿₫₴₪]|R\\$|Rs\\.?|INR|USD|EUR|GBP|MXN|BRL|CAD|AUD|JPY|CNY|RMB|KRW|RUB|TRY|PLN|CHF|SEK|NOK|DKK|AED|SAR|ZAR|NGN|HKD|SGD)";
const CURRENCY_AFTER =
  "(?:[$€£¥₹₽₩₺₦₱฿₫₴₪元円원块]|usd|eur|gbp|mxn|brl|cad|aud|jpy|cny|rmb|krw|rub|try|pln|chf|sek|nok|dkk|aed|sar|zar|ngn|" +
  "inr|hkd|sgd|dollars?|euros?|pounds?|rupees?|reais|real|pesos?|yuan|yen|won|rubles?|руб\\S*|lira|tl|zł|zl|kr|" +
  "dirhams?|riyals?|naira|baht|dong|rand|francs?|cents?|ریال|ريال|درهم|रुपये)";
const AMOUNT = "\\d+(?:[.,' ]\\d{3})*(?:[.,]\\d{1,2})?";
const UNIT =
  "(?:points?|pts|miles?|km|kg|lbs?|mb|gb|tb|kb|mins?|minutes?|hrs?|hours?|days?|secs?|seconds?|steps|items?|units?|" +
  "calories|kcal|ml|sms|messages?|minuten|minutos|stunden|tage|días|jours|минут\\S*|分钟|分|秒|小时|天|時間|日|분|초|시간|일)";

/** Each pattern's match is masked as a whole; order matters only in that earlier masks hide text from later ones. */
const NOT_CODES: RegExp[] = [
  // Phone numbers in their written forms: +44 20 7946 0958, (555) 123-4567, 1-800-935-9935, 555.123.4567.
  new RegExp(`(?<![${W}+])(?:\\+\\s?)?(?:\\(\\d{1,4}\\)\\s?)?\\d{1,4}(?:[ .-]\\d{1,4}|\\s?\\(\\d{1,4}\\)){1,5}(?![${W}])`, "g"),
  /\+\d{7,15}/g,
  // Money: $12.99, US$ 45, 1.299,00 €, 45 USD, Rs. 1,500, 12,000원.
  new RegExp(`(?:US|CA|AU|NZ|HK|S)?${CURRENCY_BEFORE}\\s?${AMOUNT}`, "gi"),
  new RegExp(`${AMOUNT}\\s?${CURRENCY_AFTER}(?![A-Za-z])`, "gi"),
  // Percentages and quantities with units: 20%, 2500 points, 10 minutes, 5分钟.
  /\d+(?:[.,]\d+)?\s?%/g,
  new RegExp(`(?<![${W}])\\d+\\s?${UNIT}(?![A-Za-z])`, "gi"),
  // Dates: 2024-05-01, 12/05/2025, 05.11., May 1, 2024, 1 de mayo de 2024, Jan 2025, 2025年5月1日.
  /\d{4}[-/.]\d{1,2}[-/.]\d{1,2}/g,
  /\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}/g,
  new RegExp(`${MONTH}\\s*(?:\\d{1,2}(?:st|nd|rd|th)?,?\\s*)?(?:19|20)\\d{2}(?![${W}])`, "gi"),
  new RegExp(`(?<![${W}])\\d{1,2}(?:st|nd|rd|th|er)?\\.?\\s*(?:de\\s+)?${MONTH}\\s*,?\\s*(?:de\\s+)?(?:(?:19|20)\\d{2})?`, "gi"),
  /\d{2,4}\s*[年月日]|\d{1,2}\s*[월일]|\d{4}\s*년/g,
  // A year standing alone after a word that dates it: since 2019, © 2024, in 2025, FY2024.
  /(?:©|\(c\)|copyright|since|year|in|by|until|fy|desde|seit|depuis|dal|с|до)\s*(?:19|20)\d{2}(?!\d)/gi,
  // Times and any number with inner separators (decimals, thousands, versions): 10:30, 1,299.00, 3.5.
  /\d+(?:[.,:/]\d+)+/g,
  /\d{1,2}\s?(?:h|am|pm|a\.m\.|p\.m\.|uhr)(?:\s?\d{2})?(?![A-Za-z])/gi,
  // Card and account numbers shown masked: ****1234, XX1234, •••• 1234.
  /(?:[xX*•·]{2,}|\.{3}|…)\s?\d{2,6}/g,
  // Street addresses: 1234 Main St.
  /\d+\s+(?:[A-Z][a-z]+\s+){1,3}(?:St|Street|Ave|Avenue|Rd|Road|Blvd|Dr|Drive|Ln|Lane|Way|Ct|Court)\b/g,
  // The short code in an opt-out line: "Reply STOP to 88202", "Txt HELP 46622".
  /\b(?:stop|stopall|help|unsubscribe|opt[- ]?out|arret|arrêt|baja|stopp|end|quit|cancel)\b[^\d\n]{0,20}?\d{3,8}/gi,
];

export function maskNotCodes(text: string): string {
  let out = text;
  for (const pattern of NOT_CODES) {
    out = maskAll(out, pattern, (m) => pattern === NOT_CODES[0] && digitCount(m[0]) < 9);
  }
  return out;
}

const digitCount = (s: string) => s.replace(/\D/g, "").length;

export { MASK };
