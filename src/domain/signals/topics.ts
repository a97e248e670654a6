// What a message is about, as a small fixed vocabulary an agent (or a watch) can filter on without reading the
// text. Keyword rules, not a model: the same SMS always yields the same topics.

export type Topic =
  | "verification"
  | "login"
  | "password_reset"
  | "payment"
  | "delivery"
  | "security_alert"
  | "appointment"
  | "marketing";

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
  [
    "payment",
    /payment|paid|\bpay\b|charge[ds]?\b|transaction|debited|credited|purchase|refund|invoice|\bbill\b|withdraw|transfer|überweisung|zahlung|pago|paiement|pagamento|платеж|платёж|оплат|списан|支付|付款|扣款|決済|결제|[$€£¥₹₽₩]\s?\d|\d\s?(?:USD|EUR|GBP|INR|€|₽|元|円|원)/iu,
  ],
  [
    "delivery",
    /deliver|shipped|shipment|package|parcel|tracking|courier|out for delivery|envío|entrega|lieferung|paket|sendung|livraison|colis|доставк|посылк|快递|物流|配送|発送|配達|배송|택배|kargo/iu,
  ],
  [
    "security_alert",
    /new device|unusual|suspicious|fraud|didn'?t request|did not request|not you\?|unrecogni[sz]ed|wasn'?t (?:you|me)|not recogni[sz]e|было не вы|不是您本人|ご本人でない/iu,
  ],
  ["appointment", /appointment|reminder|booking|reservation|scheduled|cita\b|termin|rendez-vous|запис[ьи] к|预约|予約|예약/iu],
  ["marketing", /\d\s?% off|\bsale\b|promo|discount|coupon|voucher|deal|offer|descuento|rabatt|soldes|скидк|优惠|折扣|セール|할인/iu],
];

/** Topics in the fixed order above. `hasCode` marks a message as verification even when its wording is new. */
export function findTopics(text: string, hasCode: boolean): Topic[] {
  return RULES.filter(([topic, pattern]) => pattern.test(text) || (topic === "verification" && hasCode)).map(([t]) => t);
}
