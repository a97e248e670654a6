// Where a message says "this is a code": the words a code sits next to, in the languages verification SMS are
// sent in. The extractor picks the number nearest one of these, so this list decides most of its accuracy.
import type { Span } from "./text";

export interface KeywordHit extends Span {
  /** strong: names a code (OTP, código, 验证码); weak: only says why one is sent (sign in, confirm). */
  strength: "strong" | "weak";
}

// Space-separated languages: each word is judged whole, with its compounds and inflections.
const STRONG_WORDS = new Set([
  "otp", "pin", "tan", "mtan", "tac", "passcode", "password", "passwort", "clave", "contraseña", "senha", "wachtwoord",
  "hasło", "haslo", "jelszó", "parola", "şifre", "sifre", "şifreniz", "kod", "cod", "kode", "koodi", "codice", "codici",
  "código", "codigo", "códigos", "codigos", "token", "one-time", "pincode", "κωδικός", "mobiletan", "smstan", "pushtan",
  "phototan", "chiptan", "itan",
]);
const STRONG_PREFIXES = [
  "verif", "vérif", "weryfik", "doğrula", "dogrula", "authentif", "authentic", "bestätigungs", "sicherheits",
  "einmal", "kodu", "kodun", "kodem", "kodów", "koden", "kodunuz", "contraseñ", "passw", "wachtw", "şifre",
  "код", "парол", "одноразов", "подтвержд", "otp", "κωδικ",
];
// Compounds ending in a word for "code": Bestätigungscode, SMS-Code, verificatiecode, engångskod.
const CODE_SUFFIXES = ["code", "codes", "kode", "kod", "koden", "koodi", "código", "codigo"];
const WEAK_WORDS = new Set([
  "login", "logon", "signin", "sign-in", "log-in", "access", "secure", "security", "confirm", "confirmation",
  "authorize", "authorise", "authorization", "approve", "activation", "activate", "identity", "anmelden", "anmeldung",
  "inicio", "iniciar", "acceso", "connexion", "connecter", "entrar", "accesso", "вход", "входа", "войти", "giriş",
  "logowania", "logowanie", "inloggen",
]);
const WEAK_PREFIXES = ["anmelde", "aktivier", "activa", "confirm", "bestätig", "autoriz", "autoris"];

// A "code" that is about a discount, a place or a product is not a verification code.
const NOT_CODE_COMPOUND = /^(?:bar|post|zip|promo|rabatt|gutschein|aktions|qr|gift|discount|voucher|coupon|referral|invite|error|country|area|source)-?/;
const NOT_CODE_BEFORE = new Set([
  "promo", "promotional", "discount", "coupon", "voucher", "referral", "gift", "invite", "invitation", "bar", "qr",
  "zip", "postal", "post", "area", "country", "dial", "source", "error", "status", "tracking", "booking",
  "reservation", "offer", "sale", "swift", "sort", "ifsc", "product", "style", "dress", "fare", "rabatt", "gutschein",
]);
// Romance languages put the qualifier after the noun: "código de descuento", "code promo".
const NOT_CODE_AFTER = new Set([
  "promo", "promocional", "promoción", "promocion", "promotionnel", "descuento", "desconto", "sconto", "réduction",
  "reduction", "réduc", "parrainage", "barras", "postal", "cupón", "cupom",
]);
const GENERIC_CODE_WORDS = new Set(["code", "codes", "código", "codigo", "codice", "kod", "kode", "код", "clave", "cod"]);
const GENERIC_CODE_SUBSTRINGS = new Set(["كود", "코드", "कोड", "קוד", "รหัส"]);

// Multi-word and digit-bearing phrases in Latin script.
const STRONG_PHRASES = /(?<![A-Za-z])(?:one[- ]time|2fa|two[- ]factor|2[- ]step|two[- ]step|mot de passe|kata sandi|pass code|mã xác (?:thực|nhận)|mã otp|mã kích hoạt)(?![A-Za-z])/gi;
// The origin-bound line of the WebOTP format ("@example.com #123456") names the code that follows the "#".
const ORIGIN_BOUND = /(?<!\S)@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\s+#(?=[A-Za-z0-9])/g;
const WEAK_PHRASES = /(?<![A-Za-z])(?:log[- ]?in|sign[- ]?in|sign[- ]?on|log[- ]?on)(?![A-Za-z])/gi;

// Scripts written without spaces between words (and Arabic, whose article and prepositions join the word):
// matched as substrings.
const STRONG_SUBSTRINGS = [
  "验证码", "驗證碼", "校验码", "校驗碼", "动态码", "動態碼", "动态密码", "确认码", "確認碼", "验证", "驗證", "密码", "密碼",
  "認証コード", "確認コード", "認証番号", "確認番号", "暗証番号", "ワンタイムパスワード", "パスワード", "パスコード",
  "인증번호", "인증 번호", "인증코드", "확인코드", "확인 코드", "비밀번호", "인증", "코드",
  "رمز", "كود", "كلمة المرور", "التحقق", "कोड", "ओटीपी", "पासवर्ड", "सत्यापन", "รหัส", "קוד",
];
const WEAK_SUBSTRINGS = ["登录", "登錄", "登入", "ログイン", "로그인", "تسجيل الدخول", "लॉगिन"];

const PROMOTION = /\d\s?%(?![A-Za-z])|\b(?:promo|discount|coupon|voucher|sale|off your|checkout|shop now|descuento|rabatt|soldes)\b/i;
const TOKEN = /[\p{L}\p{M}]+(?:['’-][\p{L}\p{M}]+)*/gu;

function classify(word: string): KeywordHit["strength"] | null {
  if (STRONG_WORDS.has(word) || STRONG_PREFIXES.some((p) => word.startsWith(p))) return "strong";
  if (CODE_SUFFIXES.some((s) => word.endsWith(s)) && !NOT_CODE_COMPOUND.test(word)) return "strong";
  if (WEAK_WORDS.has(word) || WEAK_PREFIXES.some((p) => word.startsWith(p))) return "weak";
  return null;
}

/** True for marketing text ("20% off", "coupon"), where a bare "code" is a discount code. Give it unmasked text. */
export function isPromotion(text: string): boolean {
  return PROMOTION.test(text);
}

/**
 * Finds the code keywords in `text` (links and non-code numbers already masked). In a promotion only words that
 * name a verification code count: "use code SAVE20" is not one.
 */
export function findCodeKeywords(text: string, promotion: boolean): KeywordHit[] {
  const hits: KeywordHit[] = [];
  const tokens = [...text.matchAll(TOKEN)].map((m) => ({ word: m[0].toLowerCase(), start: m.index, end: m.index + m[0].length }));
  tokens.forEach((t, i) => {
    const strength = classify(t.word);
    if (!strength) return;
    if (CODE_SUFFIXES.some((s) => t.word.endsWith(s)) || GENERIC_CODE_WORDS.has(t.word)) {
      if (NOT_CODE_BEFORE.has(tokens[i - 1]?.word ?? "")) return;
      if ([tokens[i + 1], tokens[i + 2]].some((n) => NOT_CODE_AFTER.has(n?.word ?? ""))) return;
      if (promotion && GENERIC_CODE_WORDS.has(t.word)) return;
    }
    hits.push({ start: t.start, end: t.end, strength });
  });
  for (const [pattern, strength] of [[STRONG_PHRASES, "strong"], [ORIGIN_BOUND, "strong"], [WEAK_PHRASES, "weak"]] as const) {
    for (const m of text.matchAll(pattern)) hits.push({ start: m.index, end: m.index + m[0].length, strength });
  }
  for (const [list, strength] of [[STRONG_SUBSTRINGS, "strong"], [WEAK_SUBSTRINGS, "weak"]] as const) {
    for (const needle of list) {
      if (promotion && GENERIC_CODE_SUBSTRINGS.has(needle)) continue;
      for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
        hits.push({ start: at, end: at + needle.length, strength });
      }
    }
  }
  return hits.sort((a, b) => a.start - b.start);
}
