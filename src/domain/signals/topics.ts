// What a message is about, as a small fixed vocabulary an agent (or a watch) can filter on without reading the
// text. Keyword rules, not a model: the same SMS always yields the same topics. A topic says the words are there;
// a category (categories.ts, from the same vocabulary) says what kind of message it is.
import { AMOUNT, APPOINTMENT, DELIVERY, MARKETING, NOT_YOU, PAYMENT, SECURITY_EVENT } from "./category-words";

export type Topic =
  | "verification"
  | "login"
  | "password_reset"
  | "payment"
  | "delivery"
  | "security_alert"
  | "appointment"
  | "marketing";

/** Either pattern (both are case-insensitive Unicode ones from category-words.ts). */
const either = (a: RegExp, b: RegExp) => new RegExp(`${a.source}|${b.source}`, "iu");

const RULES: [Topic, RegExp][] = [
  [
    "verification",
    /verif|vérif|otp|passcode|one[- ]time|2fa|two[- ]factor|security code|código|codice|bestätigungscode|sicherheitscode|\btan\b|код|验证|驗證|校验码|動態|动态码|認証|確認コード|인증|رمز|التحقق|ओटीपी|सत्यापन|doğrulama|weryfik/iu,
  ],
  [
    "login",
    /log[- ]?in|sign[- ]?in|sign[- ]?on|\blogon\b|anmeld|iniciar sesi|inicio de sesi|connexion|se connecter|вход|войти|登录|登錄|登入|ログイン|로그인|giriş|logowani|inloggen|accedi|acceso/iu,
  ],
  [
    "password_reset",
    /(?:reset|forgot|change|recover)\w*\s+(?:your\s+)?(?:password|passcode|pin)|password\s+(?:reset|change|recovery)|restablecer (?:la |tu )?contraseña|passwort zurücksetzen|réinitialis\w* (?:votre |le )?mot de passe|сброс\w* парол|восстановлени\w* парол|重置密码|找回密码|パスワード(?:の)?(?:再設定|リセット)|비밀번호 (?:재설정|변경)/iu,
  ],
  ["payment", either(PAYMENT, AMOUNT)],
  ["delivery", DELIVERY],
  ["security_alert", either(SECURITY_EVENT, NOT_YOU)],
  ["appointment", APPOINTMENT],
  ["marketing", MARKETING],
];

/** Topics in the fixed order above. `hasCode` marks a message as verification even when its wording is new. */
export function findTopics(text: string, hasCode: boolean): Topic[] {
  return RULES.filter(([topic, pattern]) => pattern.test(text) || (topic === "verification" && hasCode)).map(([t]) => t);
}
