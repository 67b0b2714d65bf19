package flows

// english is used when the config says locale: en. It has every text russian has (checked at start).
var english = language{
	forms: 2,
	plural: func(n int64, fraction bool) int {
		if n == 1 && !fraction {
			return 0
		}
		return 1
	},
	nouns: map[string][]string{
		"point":    {"point", "points"},
		"stamp":    {"stamp", "stamps"},
		"stamp_of": {"stamp", "stamps"},
		"visit":    {"visit", "visits"},
	},
	months: [12]string{"January", "February", "March", "April", "May", "June", "July", "August",
		"September", "October", "November", "December"},
	timeLayout: "Jan 2, 2006 15:04",
	groupSep:   ",",
	decimalSep: ".",
	percent:    "%",
	texts: map[string]string{
		"menu": `{{if not .Buttons}}

Send a digit:
1 — balance
2 — history
3 — invite a friend
4 — help{{end}}`,
		"skip_hint": `{{if .Buttons}}press “Skip”{{else}}write “skip”{{end}}`,
		"card_caption": `{{.Card.Program}}
Balance: {{.Card.Balance}}
Card number: {{.Card.Number}}{{if .Card.Tier}}
Tier: {{.Card.Tier}}{{end}}{{if .Card.Blocked}}
The card is blocked.{{end}}`,

		"balance_bonus":        `{{count .Card.Points "point"}}`,
		"balance_discount":     `{{pct .Card.Rate}} off`,
		"balance_stamp":        `{{num .Card.Count}} of {{count .Card.Goal "stamp_of"}}{{if .Card.Rewards}}, reward ready{{end}}`,
		"balance_certificate":  `{{money .Card.Money}}`,
		"balance_subscription": `{{count .Card.Count "visit"}}`,

		"card_new": `Hello{{if .Name}}, {{.Name}}{{end}}! This is {{.Business}}. Here is your card — it works already: show it at the counter or tell us the number.

{{template "card_caption" .}}{{template "menu" .}}`,
		"card_found": `Hello{{if .Name}}, {{.Name}}{{end}}! This is {{.Business}}. You already have our card:

{{template "card_caption" .}}{{template "menu" .}}`,
		"card":            `{{template "card_caption" .}}{{template "menu" .}}`,
		"welcome_no_card": `Hello{{if .Name}}, {{.Name}}{{end}}! This is {{.Business}}. To get a loyalty card, write {{if .Buttons}}/card{{else}}“card”{{end}}.{{template "menu" .}}`,
		"no_card":         `We cannot issue a card right now. Please try later or ask at the counter.`,
		"no_cards":        `You have no card yet. Write {{if .Buttons}}/card{{else}}“card”{{end}} and we will issue one.`,

		"ask_birthday":         `When is your birthday? We would like to congratulate you. Write the date, for example 15.03.1990, or {{template "skip_hint" .}}.`,
		"birthday_retry":       `{{.Reason}} Please write your birthday like this: 15.03.1990 — or {{template "skip_hint" .}}.`,
		"birthday_not_a_date":  `That does not look like a date.`,
		"birthday_no_such_day": `There is no such day in the calendar.`,
		"birthday_in_future":   `That date has not come yet.`,
		"birthday_too_old":     `That is more than 120 years ago.`,
		"birthday_saved":       `Thank you! We noted {{.Date}}.`,
		"birthday_skipped":     `All right, we will not ask. Your card works already — show it at the counter.`,
		"birthday_gave_up":     `Never mind: you can tell us the date at the counter. Your card works already.`,

		"ask_phone":          `Please leave your phone number — it lets the staff find your card at the counter. {{if .Buttons}}Press “Share my number” below or write the number{{else}}Write the number, for example {{.Example}}{{end}}. If you would rather not, write “skip”.`,
		"phone_retry":        `{{.Reason}} Please write the number like this: {{.Example}} — or “skip”.`,
		"phone_not_a_number": `That does not look like a phone number.`,
		"phone_taken":        `This number already belongs to another card.{{if .Buttons}} To join the cards, press “Share my number”: that shows the number is yours.{{end}}`,
		"phone_saved":        `Thank you, we saved your number.`,
		"phone_linked":       `Thank you! You already have a card with this number — now it is in this chat too.`,
		"phone_skipped":      `All right, no number. Your card works anyway.`,
		"phone_gave_up":      `Never mind: you can tell us the number at the counter. Your card works already.`,

		"help": `{{.Business}}: your loyalty card in this chat.{{if .Buttons}}

/card — show the card
/balance — balance
/history — recent operations
/invite — invite a friend
/stop — no more offers
/delete — delete my data{{else}}{{template "menu" .}}

You can also write: “card” to see the card, “stop” for no more offers, “delete” to delete your data.{{end}}`,
		"unknown": `Sorry, I did not get that.{{if .Buttons}} Choose what you need with a button below or write /help.{{else}}{{template "menu" .}}{{end}}`,
		"balance": `{{range .Lines}}{{.}}
{{end}}`,
		"balance_line": `{{.Card.Program}}: {{.Card.Balance}}`,
		"history": `Recent operations:{{range .Lines}}
{{.}}{{end}}`,
		"history_line":  `{{.Op.At}} — {{.Op.Text}}`,
		"history_empty": `There have been no operations on your card yet.`,
		"invite": `Invite your friends to {{.Business}}!{{if .Link}} Send them this link: it gets them a card, no messenger needed:
{{.Link}}{{end}}{{if or .TelegramLink .WhatsAppLink}}

Or straight into a messenger:{{if .TelegramLink}}
Telegram: {{.TelegramLink}}{{end}}{{if .WhatsAppLink}}
WhatsApp: {{.WhatsAppLink}}{{end}}{{end}}

Your invite code: {{.Code}}. A friend only has to send us ref_{{.Code}} as their first message.`,
		"stopped": `Done: no more offers and news. Notices about your points and card operations will keep coming. Changed your mind? Write {{if .Buttons}}/start{{else}}“start”{{end}}.`,
		"resumed": `We will send you offers and news again. You can stop them at any time: {{if .Buttons}}/stop{{else}}“stop”{{end}}.`,

		"delete_confirm":   `Delete your data? We will erase your name, phone, birthday and the link to this chat. The card will no longer be yours, and its points cannot be restored.{{if not .Buttons}} Write “yes” or “no”.{{end}}`,
		"deleted":          `Done: your data is deleted. If you want to come back, just write to us.`,
		"delete_cancelled": `All right, nothing is deleted.`,

		"staff_only": `This command is for the staff only.`,
		"staff_usage": `I did not understand the command. Staff commands:
/find <phone or card number>
/buy <card> <sum> [redeem <points>]
/add <card> <points>
/stamp <card> [stamps]
/cancel <operation number>`,
		"staff_not_found": `No client or card found: {{.Reason}}`,
		"staff_found": `{{if .Name}}{{.Name}}{{else}}No name{{end}}{{if .Phone}}, {{.Phone}}{{end}}{{range .Lines}}
{{.}}{{end}}`,
		"staff_card_line": `{{.Card.Number}} — {{.Card.Program}}: {{.Card.Balance}}{{if .Card.Blocked}} (blocked){{end}}`,
		"staff_done": `Done, operation #{{.Op.ID}}: {{.Op.Text}}.
Card {{.Card.Number}}: {{.Card.Balance}}.`,
		"staff_refused": `Not done{{if eq .Code "not_found"}}: not found{{else if eq .Code "conflict"}}: not allowed{{end}} — {{.Reason}}`,

		"op_issue":    `card issued{{if .Op.Change}}: +{{.Op.Change}}{{end}}`,
		"op_purchase": `purchase of {{money .Op.Purchase}}{{if .Op.Redeemed}}, {{count .Op.Redeemed "point"}} redeemed{{end}}{{if .Op.Accrued}}, {{count .Op.Accrued "point"}} earned{{end}}{{if .Op.Discount}}, {{money .Op.Discount}} off{{end}}{{if .Op.Count}}, +{{count .Op.Count "stamp"}}{{end}}`,
		"op_accrue":   `{{.Op.Change}} added`,
		"op_redeem":   `{{.Op.Change}} redeemed`,
		"op_stamp":    `+{{.Op.Change}}`,
		"op_reward":   `reward received{{if .Card.Reward}}: {{.Card.Reward}}{{end}}`,
		"op_spend":    `paid from the certificate: {{.Op.Change}}`,
		"op_visit":    `{{.Op.Change}} used`,
		"op_adjust":   `correction: {{if .Op.Minus}}−{{else}}+{{end}}{{.Op.Change}}{{if .Op.Reason}} ({{.Op.Reason}}){{end}}`,
		"op_cancel":   `operation #{{.Op.Cancels}} cancelled: {{if .Op.Minus}}−{{else}}+{{end}}{{.Op.Change}}`,
		"op_expire":   `{{.Op.Change}} expired`,
		"notice": `{{.Business}}: {{.Op.Text}}.
Balance: {{.Card.Balance}}.{{if .Op.TierChanged}}
Your tier is now {{if .Op.TierAfter}}{{.Op.TierAfter}}{{else}}the base tier{{end}}{{if .Card.Rate}}: {{pct .Card.Rate}} {{if eq .Card.Type "discount"}}discount{{else}}cashback{{end}}{{end}}.{{end}}{{if .Op.RewardReady}}
Your reward is ready: {{.Card.Reward}}. Show the card at the counter.{{end}}`,

		"btn_balance":     `Balance`,
		"btn_history":     `History`,
		"btn_invite":      `Invite a friend`,
		"btn_help":        `Help`,
		"btn_skip":        `Skip`,
		"btn_delete_yes":  `Yes, delete`,
		"btn_delete_no":   `No`,
		"btn_share_phone": `Share my number`,
		"cmd_card":        `My card`,
		"cmd_balance":     `Balance`,
		"cmd_history":     `Recent operations`,
		"cmd_invite":      `Invite a friend`,
		"cmd_help":        `What the bot can do`,
		"cmd_stop":        `No more offers`,
		"cmd_delete":      `Delete my data`,
	},
}
