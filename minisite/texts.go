package minisite

import (
	"fmt"
	"strings"

	"cardbot"
)

// texts are the words of the public pages, by locale. Every locale has the same keys (a test checks),
// so a template never shows an empty place.
var texts = map[string]map[string]string{
	"ru": {
		"lang":             "ru",
		"form_title":       "Получить карту",
		"name":             "Имя",
		"phone":            "Телефон",
		"phone_hint":       "например, +7 916 123-45-67",
		"birthday":         "День рождения (необязательно)",
		"consent_default":  "Я согласен(на) на обработку моих персональных данных (имя, телефон, дата рождения) для участия в программе лояльности.",
		"submit":           "Получить карту",
		"or_continue":      "Или продолжите в мессенджере:",
		"telegram":         "Telegram",
		"whatsapp":         "WhatsApp",
		"webchat":          "Чат на сайте",
		"err_name":         "Напишите, как к вам обращаться.",
		"err_phone":        "Проверьте номер телефона: например, +7 916 123-45-67.",
		"err_consent":      "Без согласия на обработку данных мы не можем выпустить карту.",
		"err_birthday":     "Не получилось прочитать дату рождения.",
		"err_rate":         "Слишком много попыток. Подождите минуту и попробуйте снова.",
		"err_bot":          "Форма заполнена не так. Обновите страницу и попробуйте снова.",
		"err_unavailable":  "Сейчас не получается выпустить карту. Попробуйте через минуту.",
		"err_archived":     "Эта программа больше не выдаёт новых карт.",
		"exists_title":     "У этого номера уже есть карта",
		"exists_text":      "Мы отправили ссылку на карту туда, где вы её получали: в мессенджер или SMS. Если сообщение не пришло, назовите номер телефона на кассе.",
		"exists_counter":   "Назовите номер телефона на кассе — вам покажут вашу карту.",
		"not_found_title":  "Страница не найдена",
		"not_found_text":   "Проверьте ссылку или спросите на кассе.",
		"card_title":       "Ваша карта",
		"number":           "Номер карты",
		"show_qr":          "Покажите этот код на кассе",
		"balance":          "Баланс",
		"tier":             "Уровень",
		"rate":             "Ваш процент",
		"expires":          "Действует до",
		"history":          "Последние операции",
		"no_history":       "Операций пока нет.",
		"blocked":          "Карта заблокирована. Обратитесь на кассу.",
		"expired":          "Срок действия карты закончился.",
		"cancelled":        "отменена",
		"save_hint":        "Сохраните эту страницу в закладки: здесь всегда актуальный баланс.",
		"chat_title":       "Чат",
		"chat_placeholder": "Напишите сообщение…",
		"chat_send":        "Отправить",
		"chat_hello":       "Напишите что-нибудь, и бот выдаст вам карту.",
		"chat_offline":     "Нет связи. Пробуем снова…",
		"chat_busy":        "Слишком много новых чатов с вашего адреса. Попробуйте через несколько минут — чат откроется сам.",
		"chat_slow":        "Вы пишете слишком часто. Подождите секунду — сообщение отправится само.",
		"chat_open":        "Открыть чат",
		"chat_close":       "Закрыть чат",
		"unit_points":      "балл|балла|баллов", // one|few|many, and few for fractions
		"unit_stamps":      "штамп|штампа|штампов",
		"unit_visits":      "посещение|посещения|посещений",
		"of":               "из",
		"cashback":         "Кешбэк %s %% с каждой покупки",
		"welcome_bonus":    "%s приветственных баллов сразу",
		"discount":         "Скидка %s %%",
		"stamps":           "%d штампов — %s",
		"nominal":          "Сертификат на %s",
		"visits":           "%d посещений",
		"op_issue":         "Выпуск карты",
		"op_purchase":      "Покупка",
		"op_accrue":        "Начисление",
		"op_redeem":        "Списание",
		"op_stamp":         "Штамп",
		"op_reward":        "Подарок",
		"op_spend":         "Оплата сертификатом",
		"op_visit":         "Посещение",
		"op_adjust":        "Корректировка",
		"op_cancel":        "Отмена операции",
		"op_expire":        "Сгорание баллов",
		"link_notice":      "Ваша карта «%s»: %s",
		// The page of an invite link, /r/<code>.
		"ref_invited":       "%s приглашает вас",
		"ref_invited_anon":  "Вас пригласил друг",
		"ref_lead":          "Получите карту за минуту: заполните форму или продолжите в мессенджере.",
		"ref_gift_signup":   "%s в подарок от друга — сразу с картой",
		"ref_gift_purchase": "%s в подарок от друга — после первой покупки",
		"invite_title":      "Пригласите друзей",
		"invite_text":       "Отправьте другу эту ссылку: по ней он получит свою карту.",
	},
	"en": {
		"lang":             "en",
		"form_title":       "Get your card",
		"name":             "Name",
		"phone":            "Phone",
		"phone_hint":       "e.g. +44 7400 123456",
		"birthday":         "Birthday (optional)",
		"consent_default":  "I agree to the processing of my personal data (name, phone, date of birth) for the loyalty programme.",
		"submit":           "Get my card",
		"or_continue":      "Or continue in a messenger:",
		"telegram":         "Telegram",
		"whatsapp":         "WhatsApp",
		"webchat":          "Chat on this site",
		"err_name":         "Please tell us your name.",
		"err_phone":        "Please check the phone number, with the country code: e.g. +44 7400 123456.",
		"err_consent":      "We cannot issue a card without your consent to data processing.",
		"err_birthday":     "We could not read the birthday.",
		"err_rate":         "Too many attempts. Wait a minute and try again.",
		"err_bot":          "The form was not filled in as expected. Reload the page and try again.",
		"err_unavailable":  "We cannot issue a card right now. Try again in a minute.",
		"err_archived":     "This programme no longer issues new cards.",
		"exists_title":     "This number already has a card",
		"exists_text":      "We sent the link to your card where you got it: your messenger or a text message. If nothing came, tell the cashier your phone number.",
		"exists_counter":   "Tell the cashier your phone number and they will find your card.",
		"not_found_title":  "Page not found",
		"not_found_text":   "Check the link or ask at the counter.",
		"card_title":       "Your card",
		"number":           "Card number",
		"show_qr":          "Show this code at the counter",
		"balance":          "Balance",
		"tier":             "Tier",
		"rate":             "Your rate",
		"expires":          "Valid until",
		"history":          "Recent operations",
		"no_history":       "No operations yet.",
		"blocked":          "The card is blocked. Please ask at the counter.",
		"expired":          "The card has expired.",
		"cancelled":        "cancelled",
		"save_hint":        "Bookmark this page: it always shows your current balance.",
		"chat_title":       "Chat",
		"chat_placeholder": "Type a message…",
		"chat_send":        "Send",
		"chat_hello":       "Write anything and the bot will give you a card.",
		"chat_offline":     "No connection. Retrying…",
		"chat_busy":        "Too many new chats from your address. Try again in a few minutes — the chat will open by itself.",
		"chat_slow":        "You are writing too fast. Wait a second — the message will go by itself.",
		"chat_open":        "Open chat",
		"chat_close":       "Close chat",
		"unit_points":      "point|points|points",
		"unit_stamps":      "stamp|stamps|stamps",
		"unit_visits":      "visit|visits|visits",
		"of":               "of",
		"cashback":         "%s %% cashback on every purchase",
		"welcome_bonus":    "%s welcome points right away",
		"discount":         "%s %% discount",
		"stamps":           "%d stamps — %s",
		"nominal":          "A gift certificate of %s",
		"visits":           "%d visits",
		"op_issue":         "Card issued",
		"op_purchase":      "Purchase",
		"op_accrue":        "Points added",
		"op_redeem":        "Points spent",
		"op_stamp":         "Stamp",
		"op_reward":        "Reward",
		"op_spend":         "Paid with certificate",
		"op_visit":         "Visit",
		"op_adjust":        "Adjustment",
		"op_cancel":        "Cancellation",
		"op_expire":        "Points expired",
		"link_notice":      "Your card “%s”: %s",
		// The page of an invite link, /r/<code>.
		"ref_invited":       "%s invites you",
		"ref_invited_anon":  "A friend invites you",
		"ref_lead":          "Get your card in a minute: fill in the form or continue in a messenger.",
		"ref_gift_signup":   "%s as a gift from your friend, with the card",
		"ref_gift_purchase": "%s as a gift from your friend after your first purchase",
		"invite_title":      "Invite your friends",
		"invite_text":       "Send a friend this link: it gets them their own card.",
	},
}

// words is one locale's texts with the number formats of that locale.
type words struct {
	m        map[string]string
	currency string
}

func wordsFor(locale, currency string) words {
	m, ok := texts[locale]
	if !ok {
		m = texts["ru"]
	}
	return words{m: m, currency: currency}
}

func (w words) get(key string) string { return w.m[key] }

func (w words) f(key string, args ...any) string { return fmt.Sprintf(w.m[key], args...) }

// number writes a decimal the locale's way: "150,5" in Russian.
func (w words) number(s string) string {
	if w.m["lang"] == "ru" {
		return strings.Replace(s, ".", ",", 1)
	}
	return s
}

// money writes an amount with the currency sign.
func (w words) money(a cardbot.Amount) string {
	sign := w.currency
	switch w.currency {
	case "RUB":
		sign = "₽"
	case "EUR":
		sign = "€"
	case "USD":
		sign = "$"
	}
	return w.number(a.String()) + " " + sign
}

// quantity writes a balance or change of a card's unit with its word.
func (w words) quantity(u cardbot.Unit, v int64) string {
	switch u {
	case cardbot.UnitMoney:
		return w.money(cardbot.Amount(v))
	case cardbot.UnitNone:
		return ""
	}
	return w.number(u.Number(v)) + " " + w.plural(w.get("unit_"+string(u)), u, v)
}

// plural picks the form of a unit's word for a quantity: "one|few|many" (Russian: 1 балл, 2 балла,
// 5 баллов, 1,5 балла; English uses one and many).
func (w words) plural(forms string, u cardbot.Unit, v int64) string {
	f := strings.Split(forms, "|")
	if len(f) != 3 {
		return forms
	}
	n := v
	if u == cardbot.UnitPoints || u == cardbot.UnitMoney {
		if v%100 != 0 {
			return f[1] // a fraction: "1,5 балла", "1.5 points"
		}
		n = v / 100
	}
	if w.m["lang"] == "en" {
		if n == 1 {
			return f[0]
		}
		return f[2] // "21 points", not Russian's "21 балл"
	}
	switch {
	case n%10 == 1 && n%100 != 11:
		return f[0]
	case n%10 >= 2 && n%10 <= 4 && (n%100 < 12 || n%100 > 14):
		return f[1]
	}
	return f[2]
}

// offer describes what a programme gives, in one or two short lines for the mini-site.
func (w words) offer(p *cardbot.Program) []string {
	if p == nil {
		return nil
	}
	var out []string
	switch p.Type {
	case cardbot.Bonus:
		out = append(out, w.f("cashback", w.number(p.Cashback.String())))
		if p.WelcomeBonus > 0 {
			out = append(out, w.f("welcome_bonus", w.number(p.WelcomeBonus.String())))
		}
	case cardbot.Discount:
		out = append(out, w.f("discount", w.number(p.Discount.String())))
	case cardbot.Stamp:
		out = append(out, w.f("stamps", p.Stamps, p.Reward))
	case cardbot.Certificate:
		out = append(out, w.f("nominal", w.money(p.Nominal)))
	case cardbot.Subscription:
		out = append(out, w.f("visits", p.Visits))
	}
	return out
}
