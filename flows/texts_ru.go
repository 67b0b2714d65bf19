package flows

// russian is the default language and the reference: every other language must have each of its
// texts. Texts are Go text/templates executed with textData; {{template "name" .}} includes another
// text.
var russian = language{
	forms: 3,
	// Russian counts in three forms: 1, 21 балл; 2–4, 22 балла; 5–20, 25 баллов. A fraction takes
	// the second: 7,5 балла.
	plural: func(n int64, fraction bool) int {
		switch {
		case fraction:
			return 1
		case n%10 == 1 && n%100 != 11:
			return 0
		case n%10 >= 2 && n%10 <= 4 && (n%100 < 12 || n%100 > 14):
			return 1
		}
		return 2
	},
	nouns: map[string][]string{
		"point":    {"балл", "балла", "баллов"},
		"stamp":    {"штамп", "штампа", "штампов"},
		"stamp_of": {"штампа", "штампов", "штампов"}, // after «из»: 4 из 6 штампов
		"visit":    {"посещение", "посещения", "посещений"},
	},
	months: [12]string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
		"сентября", "октября", "ноября", "декабря"},
	timeLayout: "02.01.2006 15:04",
	groupSep:   "\u00a0",
	decimalSep: ",",
	percent:    "\u00a0%",
	texts: map[string]string{
		// Parts included by other texts.
		"menu": `{{if not .Buttons}}

Отправьте цифру:
1 — баланс
2 — история
3 — пригласить друга
4 — помощь{{end}}`,
		"skip_hint": `{{if .Buttons}}нажмите «Пропустить»{{else}}напишите «пропустить»{{end}}`,
		"card_caption": `{{.Card.Program}}
На карте: {{.Card.Balance}}
Номер карты: {{.Card.Number}}{{if .Card.Tier}}
Уровень: {{.Card.Tier}}{{end}}{{if .Card.Blocked}}
Карта заблокирована.{{end}}`,

		// Balances in words, by programme type.
		"balance_bonus":        `{{count .Card.Points "point"}}`,
		"balance_discount":     `скидка {{pct .Card.Rate}}`,
		"balance_stamp":        `{{num .Card.Count}} из {{count .Card.Goal "stamp_of"}}{{if .Card.Rewards}}, награда готова{{end}}`,
		"balance_certificate":  `{{money .Card.Money}}`,
		"balance_subscription": `{{count .Card.Count "visit"}}`,

		// Welcome and the card.
		"card_new": `Здравствуйте{{if .Name}}, {{.Name}}{{end}}! Это {{.Business}}. Вот ваша карта — она уже работает: покажите её на кассе или назовите номер.

{{template "card_caption" .}}{{template "menu" .}}`,
		"card_found": `Здравствуйте{{if .Name}}, {{.Name}}{{end}}! Это {{.Business}}. Ваша карта уже у нас:

{{template "card_caption" .}}{{template "menu" .}}`,
		"card":            `{{template "card_caption" .}}{{template "menu" .}}`,
		"welcome_no_card": `Здравствуйте{{if .Name}}, {{.Name}}{{end}}! Это {{.Business}}. Чтобы получить карту лояльности, напишите {{if .Buttons}}/card{{else}}«карта»{{end}}.{{template "menu" .}}`,
		"no_card":         `Сейчас не получается выпустить карту. Попробуйте позже или спросите на кассе.`,
		"no_cards":        `У вас пока нет карты. Напишите {{if .Buttons}}/card{{else}}«карта»{{end}} — выпустим.`,

		// Birthday.
		"ask_birthday":         `Когда у вас день рождения? Мы поздравим вас в этот день. Напишите дату, например 15.03.1990, или {{template "skip_hint" .}}.`,
		"birthday_retry":       `{{.Reason}} Напишите дату рождения так: 15.03.1990 — или {{template "skip_hint" .}}.`,
		"birthday_not_a_date":  `Не получилось разобрать дату.`,
		"birthday_no_such_day": `Такого дня нет в календаре.`,
		"birthday_in_future":   `Эта дата ещё не наступила.`,
		"birthday_too_old":     `Это больше 120 лет назад.`,
		"birthday_saved":       `Спасибо! Запомнили: {{.Date}}.`,
		"birthday_skipped":     `Хорошо, не будем спрашивать. Карта уже работает — покажите её на кассе.`,
		"birthday_gave_up":     `Ничего страшного: дату можно назвать на кассе. Карта уже работает.`,

		// Phone.
		"ask_phone":          `Оставьте, пожалуйста, номер телефона — по нему вашу карту найдут на кассе. {{if .Buttons}}Нажмите кнопку «Поделиться номером» внизу или напишите номер{{else}}Напишите номер, например {{.Example}}{{end}}. Не хотите — напишите «пропустить».`,
		"phone_retry":        `{{.Reason}} Напишите номер так: {{.Example}} — или «пропустить».`,
		"phone_not_a_number": `Не похоже на номер телефона.`,
		"phone_taken":        `Этот номер уже привязан к другой карте.{{if .Buttons}} Чтобы объединить карты, нажмите «Поделиться номером»: так мы убедимся, что номер ваш.{{end}}`,
		"phone_saved":        `Спасибо, номер сохранили.`,
		"phone_linked":       `Спасибо! По этому номеру у вас уже есть карта — теперь она и в этом чате.`,
		"phone_skipped":      `Хорошо, без номера. Карта всё равно работает.`,
		"phone_gave_up":      `Ничего страшного: номер можно назвать на кассе. Карта уже работает.`,

		// Commands.
		"help": `{{.Business}}: ваша карта лояльности в этом чате.{{if .Buttons}}

/card — показать карту
/balance — баланс
/history — последние операции
/invite — пригласить друга
/stop — не присылать акции
/delete — удалить мои данные{{else}}{{template "menu" .}}

Ещё можно написать: «карта» — показать карту, «стоп» — не присылать акции, «удалить» — удалить мои данные.{{end}}`,
		"unknown": `Не совсем понял вас.{{if .Buttons}} Выберите, что нужно, кнопкой ниже или напишите /help.{{else}}{{template "menu" .}}{{end}}`,
		"balance": `{{range .Lines}}{{.}}
{{end}}`,
		"balance_line": `{{.Card.Program}}: {{.Card.Balance}}`,
		"history": `Последние операции:{{range .Lines}}
{{.}}{{end}}`,
		"history_line":  `{{.Op.At}} — {{.Op.Text}}`,
		"history_empty": `Операций по карте пока не было.`,
		"invite": `Приглашайте друзей!{{if .Link}} Отправьте им ссылку — по ней друг получит карту даже без мессенджера:
{{.Link}}{{end}}{{if or .TelegramLink .WhatsAppLink}}

Или сразу в мессенджер:{{if .TelegramLink}}
Telegram: {{.TelegramLink}}{{end}}{{if .WhatsAppLink}}
WhatsApp: {{.WhatsAppLink}}{{end}}{{end}}

Ваш код приглашения: {{.Code}}. Другу достаточно первым сообщением написать нам ref_{{.Code}}.`,
		"stopped": `Готово: больше не пришлём акции и новости. Уведомления о баллах и операциях по карте будут приходить, как раньше. Передумаете — напишите {{if .Buttons}}/start{{else}}«старт»{{end}}.`,
		"resumed": `Снова будем присылать акции и новости. Отписаться можно в любой момент: {{if .Buttons}}/stop{{else}}«стоп»{{end}}.`,

		// Deleting the client's data.
		"delete_confirm":   `Удалить ваши данные? Сотрём имя, телефон, дату рождения и связь с этим чатом. Карта перестанет быть вашей, и баллы на ней вернуть будет нельзя.{{if not .Buttons}} Напишите «да» или «нет».{{end}}`,
		"deleted":          `Готово: ваши данные удалены. Если захотите вернуться — просто напишите нам.`,
		"delete_cancelled": `Хорошо, ничего не удаляем.`,

		// Staff.
		"staff_only": `Эта команда только для сотрудников.`,
		"staff_usage": `Не понял команду. Команды сотрудника:
/find <телефон или номер карты>
/buy <карта> <сумма> [redeem <баллы>]
/add <карта> <баллы>
/stamp <карта> [штампы]
/cancel <номер операции>`,
		"staff_not_found": `Не нашли клиента или карту: {{.Reason}}`,
		"staff_found": `{{if .Name}}{{.Name}}{{else}}Имя не указано{{end}}{{if .Phone}}, {{.Phone}}{{end}}{{range .Lines}}
{{.}}{{end}}`,
		"staff_card_line": `{{.Card.Number}} — {{.Card.Program}}: {{.Card.Balance}}{{if .Card.Blocked}} (заблокирована){{end}}`,
		"staff_done": `Готово, операция №{{.Op.ID}}: {{.Op.Text}}.
Карта {{.Card.Number}}: {{.Card.Balance}}.`,
		"staff_refused": `Не выполнено{{if eq .Code "not_found"}}: не нашли{{else if eq .Code "conflict"}}: так нельзя{{end}} — {{.Reason}}`,

		// Ledger entries, as history lines and in notices.
		"op_issue":    `карта выпущена{{if .Op.Change}}: +{{.Op.Change}}{{end}}`,
		"op_purchase": `покупка на {{money .Op.Purchase}}{{if .Op.Redeemed}}, списано {{count .Op.Redeemed "point"}}{{end}}{{if .Op.Accrued}}, начислено {{count .Op.Accrued "point"}}{{end}}{{if .Op.Discount}}, скидка {{money .Op.Discount}}{{end}}{{if .Op.Count}}, +{{count .Op.Count "stamp"}}{{end}}`,
		"op_accrue":   `начислено {{.Op.Change}}`,
		"op_redeem":   `списано {{.Op.Change}}`,
		"op_stamp":    `+{{.Op.Change}}`,
		"op_reward":   `получена награда{{if .Card.Reward}}: {{.Card.Reward}}{{end}}`,
		"op_spend":    `оплата с сертификата: {{.Op.Change}}`,
		"op_visit":    `отмечено {{.Op.Change}}`,
		"op_adjust":   `корректировка: {{if .Op.Minus}}−{{else}}+{{end}}{{.Op.Change}}{{if .Op.Reason}} ({{.Op.Reason}}){{end}}`,
		"op_cancel":   `отменена операция №{{.Op.Cancels}}: {{if .Op.Minus}}−{{else}}+{{end}}{{.Op.Change}}`,
		"op_expire":   `сгорело {{.Op.Change}}`,
		"notice": `{{.Business}}: {{.Op.Text}}.
На карте: {{.Card.Balance}}.{{if .Op.TierChanged}}
Ваш уровень теперь — {{if .Op.TierAfter}}{{.Op.TierAfter}}{{else}}базовый{{end}}{{if .Card.Rate}}: {{if eq .Card.Type "discount"}}скидка{{else}}кешбэк{{end}} {{pct .Card.Rate}}{{end}}.{{end}}{{if .Op.RewardReady}}
Награда готова: {{.Card.Reward}}. Покажите карту на кассе.{{end}}`,

		// Buttons and the command menu.
		"btn_balance":     `Баланс`,
		"btn_history":     `История`,
		"btn_invite":      `Пригласить друга`,
		"btn_help":        `Помощь`,
		"btn_skip":        `Пропустить`,
		"btn_delete_yes":  `Да, удалить`,
		"btn_delete_no":   `Нет`,
		"btn_share_phone": `Поделиться номером`,
		"cmd_card":        `Моя карта`,
		"cmd_balance":     `Баланс`,
		"cmd_history":     `Последние операции`,
		"cmd_invite":      `Пригласить друга`,
		"cmd_help":        `Что умеет бот`,
		"cmd_stop":        `Не присылать акции`,
		"cmd_delete":      `Удалить мои данные`,
	},
}
