// The words that say what kind of message an SMS is, in the languages the OTP corpus holds. One vocabulary for the
// signal categories (categories.ts) and the annotation's topic keywords (topics.ts). Every pattern is a flat
// alternation with no nested repetition, so a test costs time linear in the (bounded) body.

/**
 * One pattern from two lists: `words`, matched at the start of a word (a stem matches its inflections: "deliver"
 * takes "delivered"), and `inText`, matched anywhere (scripts written without spaces, and Arabic and Hindi, whose
 * affixes join the word). Case-insensitive.
 */
function vocabulary(words: string[], inText: string[] = []): RegExp {
  const parts = [...(words.length ? [`(?<![\\p{L}\\p{N}])(?:${words.join("|")})`] : []), ...inText];
  return new RegExp(parts.join("|"), "iu");
}

/** A word that ends there: "sale" but not "salesforce". */
const whole = (word: string) => `${word}(?![\\p{L}])`;

export const DELIVERY = vocabulary(
  [
    "deliver(?:y|ies|ed|ing|s)?(?![\\p{L}])", "shipped", "shipment", whole("ships"), "parcel", "package", "courier", "tracking", whole("track"),
    "on its way", "out for delivery", "ready for pick-?up", "pick-?up code", whole("pickup"),
    "envío", "envio", "paquete", "repartidor", "seguimiento", "encomenda", "entrega", "rastrei", "pedido (?:\\S+ )?(?:ha sido |foi )?enviado",
    "paket", "sendung", "zugestellt", "zustell", "liefer", "geliefert",
    "colis", "livraison", "livré", "livreur", "spedizion", "consegn", "pacco", "corriere",
    "доставк", "доставлен", "посылк", "отправлени", "курьер", "пункт выдачи", "paczk", "przesyłk", "paczkomat", "kurier",
    "kargo", "gönderiniz", "dağıtıma", "pakket", "bezorg", "verzonden",
  ],
  ["快递", "物流", "包裹", "配送", "送达", "派送", "运单", "发货", "出库", "驿站", "配達", "発送", "お荷物", "お届け", "宅配", "배송", "택배", "배달", "شحن", "توصيل", "طرد", "डिलीवर", "पैकेज", "कूरियर"],
);

export const APPOINTMENT = vocabulary(
  [
    "appointment", "reservation", whole("reserved"), "booking", whole("booked"), "your table", "table for", "boarding",
    "departs", "departure", whole("flight"), whole("check[- ]?in"), whole("train"), whole("treno"), whole("tren"), whole("zug"), "поезд", "binario", "gleis", "meeting", "reply \\S+ to (?:confirm|cancel|reschedule)",
    whole("cita"), whole("reserva"), "tu consulta", "sua consulta", "su consulta", "agendad", "agendamento",
    "reservierung", "reserviert", "gebucht", "buchung",
    "rendez-vous", whole("rdv"), "réservation", "appuntament", "prenotazion", "prenotat",
    "записаны", "запись (?:к|на)", "бронирован", "wizyt", "rezerwacj", "randevu", "rezervasyon", "afspraak", "reservering",
  ],
  ["(?<!de)termin(?:e|s)?(?![\\p{L}])", "预约", "预订", "预定", "挂号", "门诊", "航班", "登机", "予約", "診察", "搭乗", "예약", "진료", "موعد", "حجز", "अपॉइंटमेंट", "बुकिंग"],
);

// An amount of money: a currency sign or code next to a number.
const CURRENCY_BEFORE = "[$€£¥₹₽₩]\\s?\\d|(?<![\\p{L}])(?:usd|eur|gbp|inr|rs\\.?|rm|r\\$|ksh|tl|人民币)\\s?\\d";
const CURRENCY_AFTER = "\\d\\s?(?:€|₽|元|円|원|(?:usd|eur|gbp|inr|tl|руб|р\\.|ريال|درهم|جنيه)(?![\\p{L}]))";
export const AMOUNT = new RegExp(`${CURRENCY_BEFORE}|${CURRENCY_AFTER}`, "iu");

export const PAYMENT = vocabulary(
  [
    "payment", whole("paid"), whole("pay"), "charge", "recharge", "purchase", "transaction", whole("txn"), "transfer", "refund",
    "invoice", "receipt", whole("bill"), "balance", "debited", "credited", "renews",
    "pago de", "un pago", "el pago", "tu pago", "su pago", "cargo", whole("compra"), "transferencia", "cobro", "factura", "saldo",
    "pagamento", "transferência", "fatura", whole("pix"), "zahlung", "überweisung", "gutgeschrieben", "abgebucht", "lastschrift",
    "rechnung", "kontostand", "paiement", "facture", "virement", "prélèvement", "bonifico", "addebit", "acquisto",
    "оплат", "платеж", "платёж", "списан", "зачислен", "перевод", "покупк", "баланс", "płatnoś", "przelew", "ödeme", "tutarında",
    "harcama", "betaling", "overboeking",
  ],
  ["支付(?!宝)", "付款", "扣款", "消费", "转账", "金额", "余额", "账单", "退款", "決済", "支払", "ご利用金額", "引き落とし", "振込", "결제", "승인", "입금", "출금", "이체", "مبلغ", "دفع", "تحويل", "डेबिट", "क्रेडिट", "भुगतान"],
);

/** Something happened to the account that its owner may not have done: an alert whatever else the text holds. */
export const SECURITY_EVENT = vocabulary(
  [
    "new sign-?in", "new log-?in", "new device", "unknown device", "unrecogni[sz]ed (?:device|sign-?in|log-?in)", "used to sign in",
    "signed in from", "tried to (?:log|sign) ?in", "(?:log-?in|sign-?in) attempt", "email (?:address )?(?:was|has been) changed", "suspicious", "unusual (?:activity|sign-?in|log-?in)", "fraud", "security alert",
    "(?:password|passcode|pin) (?:(?:was|has been) (?:changed|reset)|changed)(?![\\p{L}])", "pin change request",
    "(?:account|card) (?:was |has been )(?:temporarily )?(?:locked|suspended|compromised|blocked|frozen)",
    "nuevo dispositivo", "actividad sospechosa", "fraude", "contraseña (?:ha sido )?cambiada", "neue anmeldung", "unbekannten gerät",
    "neues gerät", "verdächtig", "betrug", "passwort wurde geändert", "sicherheitswarnung", "connexion inhabituelle", "nouvel appareil",
    "nouvelle connexion", "mot de passe a été modifié", "novo dispositivo", "senha foi alterada", "alerta de segurança", "suspeit",
    "nuovo dispositivo", "sospett", "frode", "нового устройства", "подозрительн", "мошенни", "пароль (?:был )?изменен",
    "şüpheli", "yeni cihaz", "podejrzan", "nowe urządzenie",
  ],
  ["新设备", "异常登录", "异地登录", "可疑", "密码已修改", "不審な", "新しい端末", "不正アクセス", "不正利用", "不正ログイン", "ログインがありました", "새로운 기기", "해외 로그인", "비정상", "جهاز جديد", "مشبوه", "احتيال", "संदिग्ध"],
);

/** "Not you?": an alert when it is the point of the message, boilerplate when it follows a code. */
export const NOT_YOU = vocabulary(
  [
    "not you\\?", "wasn'?t you", "was not you", "didn'?t do this", "did not do this", "didn'?t make", "did not make", "if this was you", "wasn'?t me", "(?:don'?t|do not) recogni[sz]e", "freeze your card",
    "si no fuiste tú", "si ce n'était pas vous", "se não foi você", "warst du das nicht", "если это были не вы", "было не вы",
  ],
  ["如非本人操作", "不是您本人", "ご本人でない"],
);

export const MARKETING = vocabulary(
  [
    "\\d+ ?% off", "up to \\d+ ?%", whole("sale"), "promo", "coupon", "voucher", "discount", whole("deals?"), whole("offers?"), "shop now",
    "buy one", "for the price of", "free shipping", "for free", "free trial", "limited time", "you(?:'ve)? won", "congratulations",
    "earned \\d+ (?:stars|points)", whole("redeem"), "black friday", "clearance", "free delivery", "(?:today|tonight|this weekend) only", "order now",
    "new (?:collection|arrivals)", "nueva colección", "novedades", "nouvelle collection", "neue kollektion",
    "descuento", "rebajas", whole("oferta"), whole("gratis"), "cupón", "desconto", "grátis", "cupom",
    "gutschein", "angebot", "nur heute", "soldes", "réduction", "offre", "gratuit", "offerta", "sconto", whole("saldi"),
    "скидк", "акци", "распродаж", "rabat", "zniżk", "indirim", "kampanya", "korting", "aanbieding",
  ],
  ["-\\d+ ?%", "%\\d+", "优惠", "折扣", "折起", "\\d折", "促销", "特价", "退订", "セール", "割引", "クーポン", "配信停止", "할인", "\\(광고\\)", "수신거부", "خصم \\d+ ?%", "\\d+ ?% خصم", "كوبون", "تخفيض", "छूट", "ऑफर"],
);

/** A link's own words that make it a sign-in, verification or reset link. */
export const AUTH_LINK = /[/.?&=_-](?:log-?in|sign-?in|magic|verif|auth(?!or)|confirm|reset|password|activat|token|otp|sso)/i;

/** Words around a link that say it signs in, verifies or resets. */
export const AUTH_LINK_TEXT = vocabulary([
  "link (?:below )?to (?:log|sign|verify|confirm|reset|activate)", "(?:tap|click|open|press) (?:here )?to (?:log|sign) ?in",
  "(?:verify|confirm|activate) your (?:email|e-mail|account|phone|number|address)", "(?:magic|login|log-in|sign-in|verification|reset) link",
  "(?:sign|log) in:", "enlace para (?:iniciar|verificar|confirmar)", "link zur anmeldung", "anmeldelink", "bestätigungslink",
  "lien de (?:connexion|vérification)", "lien pour vous connecter", "link para (?:entrar|verificar|confirmar)", "ссылк\\S* для входа",
],
["登录链接", "验证链接", "ログインリンク", "認証リンク"]);

/**
 * What services write and people do not: a brand before a colon at the start ("Chase: …"), a bracketed tag
 * ("【…】", "[Web발신]"), opt-out and reply instructions, "Dear customer", "your account".
 */
export const SERVICE_MARK = vocabulary(
  [
    "reply \\S+ to", "reply stop", "txt stop", "opt[- ]out", "unsubscribe", "dear customer", "do not reply", "thanks? (?:you )?for (?:contacting|choosing|shopping|your)",
    "your (?:account|order|card|package|parcel|payment|bill|appointment|subscription|booking|reservation|prescription|delivery|balance)",
  ],
  ["^\\s*[\\[【(<]", "^\\s*[\\p{L}\\p{N}][\\p{L}\\p{N} .&'-]{0,30}\\s?[:：](?!\\d|//)"],
);
