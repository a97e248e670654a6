// Numbers that look like codes but are not: prices, dates, times, phone numbers, percentages, quantities. They
// are masked before codes are looked for, so a "$1299" or "2024" can never be picked however near "code" it is.
import { WORD_CHAR, maskAll } from "./text";

const W = WORD_CHAR;
const MONTHS = [
  // English, Spanish, French, German, Portuguese, Italian: full names, then the usual abbreviations.
  "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
  "december", "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
  "noviembre", "diciembre", "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
  "octobre", "novembre", "décembre", "januar", "februar", "märz", "juni", "juli", "oktober", "dezember", "janeiro",
  "fevereiro", "março", "maio", "junho", "julho", "setembro", "outubro", "novembro", "dezembro", "gennaio",
  "febbraio", "aprile", "maggio", "giugno", "luglio", "settembre", "ottobre", "dicembre",
  "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "ene", "abr", "ago", "dic",
  "janv", "févr", "avr", "juil", "déc", "okt", "dez", "fev", "out", "set",
];
const MONTH = `(?<!\\p{L})(?:${[...MONTHS].sort((a, b) => b.length - a.length).join("|")})\\.?(?!\\p{L})`;
const YEAR = "(?:19|20)\\d{2}(?!\\d)";
const AMOUNT = "\\d+(?:[.,' ]\\d{3})*(?:[.,]\\d{1,2})?";
const ISO = "USD|EUR|GBP|MXN|BRL|CAD|AUD|JPY|CNY|RMB|KRW|RUB|TRY|PLN|CHF|SEK|NOK|DKK|AED|SAR|ZAR|NGN|HKD|SGD|INR";
const SYMBOL = "[$€£¥₹₽₩₺₦₱฿₫₴₪]|R\\$|Rs\\.?|rs\\.?";
// Currency words are matched case-insensitively; words that are also English ("won", "real", "try") are left out.
const CURRENCY_WORD =
  "dollars?|euros?|pounds?|rupees?|reais|pesos?|yuan|yen|rubles?|руб\\S*|dirhams?|riyals?|naira|baht|francs?|cents?|" +
  "ريال|درهم|रुपये|złotych|zł";
const UNIT =
  "(?:points?|pts|miles?|km|kg|lbs?|mb|gb|tb|kb|mins?|minutes?|hrs?|hours?|days?|secs?|seconds?|steps|items?|units?|" +
  "calories|kcal|ml|minuten|minutos|stunden|tage|días|jours|минут\\S*|分钟|分|秒|小时|天|時間|日|분|초|시간|일)";

/** Each pattern's match is masked as a whole; earlier masks hide text from later patterns. */
const NOT_CODES: RegExp[] = [
  // Phone numbers as written: +44 20 7946 0958, (555) 123-4567, 1-800-935-9935 (kept when under 9 digits).
  new RegExp(`(?<![${W}+])(?:\\+\\s?)?(?:\\(\\d{1,4}\\)\\s?)?\\d{1,4}(?:[ .-]\\d{1,4}|\\s?\\(\\d{1,4}\\)){1,5}(?![${W}])`, "g"),
  /\+\d{7,15}/g,
  // Money: $12.99, US$ 45, EUR 12, 1.299,00 €, 45 USD, Rs. 1,500, 12,000원, 500 рублей.
  new RegExp(`(?<![A-Za-z])(?:US|CA|AU|NZ|HK|S)?(?:${SYMBOL}|${ISO})\\s?${AMOUNT}`, "g"),
  new RegExp(`${AMOUNT}\\s?(?:[$€£¥₹₽₩₺₦₱฿₫₴₪元円원块]|(?:${ISO}|TL|kr|Kr)(?![A-Za-z]))`, "g"),
  new RegExp(`${AMOUNT}\\s?(?:${CURRENCY_WORD})(?!\\p{L})`, "giu"),
  // Percentages and quantities with units: 20%, 2500 points, 10 minutes, 5分钟.
  /\d+(?:[.,]\d+)?\s?%(?![A-Za-z])/g,
  new RegExp(`(?<![${W}])\\d+\\s?${UNIT}(?![A-Za-z])`, "gi"),
  // Dates: 2024-05-01, 12/05/2025, May 1, 2024, 1 de mayo de 2024, Jan 2025, 2025年5月1日, 5월 1일.
  /\d{4}[-/.]\d{1,2}[-/.]\d{1,2}/g,
  /\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}/g,
  new RegExp(`${MONTH}\\s*(?:\\d{1,2}(?:st|nd|rd|th)?,?\\s*)?${YEAR}`, "giu"),
  new RegExp(`(?<![${W}])\\d{1,2}(?:st|nd|rd|th|er)?\\.?\\s*(?:de\\s+)?${MONTH}(?:\\s*,?\\s*(?:de\\s+)?${YEAR})?`, "giu"),
  /\d{2,4}\s*[年月日]|\d{1,2}\s*[월일]|\d{4}\s*년/g,
  // A year standing alone after a word that dates it: since 2019, © 2024, in 2025, FY2024.
  new RegExp(`(?<!\\p{L})(?:©|\\(c\\)|copyright|since|year|in|by|until|fy|desde|seit|depuis|dal|с|до)\\s*${YEAR}`, "giu"),
  // Times, and any number with inner separators (decimals, thousands, versions, 05.11.): 10:30, 1,299.00.
  /\d+(?:[.,:/]\d+)+/g,
  new RegExp(`(?<![${W}])\\d{1,2}\\s?(?:h|am|pm|a\\.m\\.|p\\.m\\.|uhr)(?:\\s?\\d{2})?(?![A-Za-z])`, "gi"),
  // Card and account numbers shown masked: ****1234, XX1234, •••• 1234, ...1234.
  /(?:[xX*•·]{2,}|\.{3}|…)\s?\d{2,6}/g,
  // Street addresses: 1234 Main St.
  /\d+\s+(?:[A-Z][a-z]+\s+){1,3}(?:St|Street|Ave|Avenue|Rd|Road|Blvd|Dr|Drive|Ln|Lane|Way|Ct|Court)\b/g,
  // The short code in an opt-out line: "Reply STOP to 88202", "STOP au 36111", "text help to 46622".
  /\b(?:STOP|STOPALL|STOP ALL|HELP|UNSUBSCRIBE|ARRET|ARRÊT|BAJA|STOPP|END|QUIT|CANCEL)\s+(?:to|au|al|an|a|at)?\s*\d{3,8}/g,
  /\b(?:reply|text|txt|send|sms)\s+(?:stop|help|unsubscribe)\s+(?:to\s+)?\d{3,8}/gi,
];

export function maskNotCodes(text: string): string {
  let out = text;
  for (const pattern of NOT_CODES) {
    out = maskAll(out, pattern, (m) => pattern === NOT_CODES[0] && digitCount(m[0]) < 9);
  }
  return out;
}

const digitCount = (s: string) => s.replace(/\D/g, "").length;
