package flows

import (
	"maps"
	"slices"
)

// automationTexts are the texts of the automation (notifications per event, ratings, birthdays,
// triggers, referrals), by locale. They join the language's texts in newCatalog and are overridden
// by name in config.yaml like any other. Kept apart from texts_ru.go/texts_en.go so the conversation
// texts and these read on their own.
var automationTexts = map[string]map[string]string{
	"ru": {
		// One notice per event; the events without a text here are the shared "notice" (see
		// withNoticeAliases), so an owner who rewrote "notice" keeps their wording everywhere and can
		// still reword one event.
		"notice_card_issued":  `{{.Business}}: ваша карта «{{.Card.Program}}» готова, номер {{.Card.Number}}. На карте: {{.Card.Balance}}.`,
		"notice_tier_changed": `Поздравляем! {{template "notice" .}}`,
		"points_expiring":     `{{.Business}}: {{count .Bonus "point"}} на вашей карте сгорят {{.Expires}}. Успейте потратить их — на карте сейчас {{.Card.Balance}}.`,
		"certificate_low":     `{{.Business}}: на сертификате «{{.Card.Program}}» осталось {{.Card.Balance}}.`,
		"birthday_greeting":   `{{if .Name}}{{.Name}}, с{{else}}С{{end}} днём рождения{{if .Days}} — он уже через {{count .Days "day"}}{{end}}! {{.Business}} желает вам всего самого хорошего.{{if .Bonus}} Дарим {{count .Bonus "point"}}{{if .Expires}} — они действуют до {{.Expires}}{{end}}.{{end}}`,
		"welcome_card":        `{{.Business}}: спасибо, что с нами! Показывайте карту {{.Card.Number}} на кассе при каждой покупке — на ней копятся {{if eq .Card.Type "stamp"}}штампы{{else}}бонусы{{end}}.`,
		"inactive":            `{{if .Name}}{{.Name}}, мы{{else}}Мы{{end}} соскучились! Вы не заходили к нам {{count .Days "day"}}.{{if .Bonus}} Дарим {{count .Bonus "point"}}{{if .Expires}} до {{.Expires}}{{end}} — ждём вас!{{end}}`,

		// Quality rating.
		"rating_prompt": `{{.Business}}: как вам визит {{.Visit}}? Оцените, пожалуйста, от 1 до 5{{if .Buttons}}{{else}} — отправьте цифру{{end}}.`,
		"rating_thanks": `Спасибо за оценку {{.Score}}! Будем рады, если вы расскажете о нас:{{range .Reviews}}
{{.Name}}: {{.URL}}{{end}}`,
		"rating_thanks_plain":    `Спасибо за оценку {{.Score}}! Ждём вас снова.`,
		"rating_sorry":           `Нам очень жаль, что визит не удался. Расскажите, пожалуйста, что пошло не так — напишите в ответ, мы прочитаем и разберёмся.{{if .Bonus}} В качестве извинения начислили {{count .Bonus "point"}}.{{end}}`,
		"rating_feedback_thanks": `Спасибо, что рассказали. Передали руководству — мы исправимся.`,
		"rating_staff_alert": `Низкая оценка: {{.Score}} из 5.
Клиент: {{.Client}}{{if .Phone}}, {{.Phone}}{{end}}
Визит: {{.Visit}}{{if .Branch}}, {{.Branch}}{{end}}{{if .Feedback}}
Отзыв: {{.Feedback}}{{end}}`,
		"btn_rate": `{{.Score}}`,

		// Referral program.
		"referral_reward_referrer": `{{.Business}}: {{if .Friend}}{{.Friend}}{{else}}ваш друг{{end}} пришёл по вашему приглашению. Начислили {{count .Bonus "point"}}{{if .Expires}}, они действуют до {{.Expires}}{{end}}. Спасибо!`,
		"referral_reward_friend":   `{{.Business}}: вы пришли по приглашению друга — дарим {{count .Bonus "point"}}{{if .Expires}}, они действуют до {{.Expires}}{{end}}.`,
	},
	"en": {
		"notice_card_issued":  `{{.Business}}: your card “{{.Card.Program}}” is ready, number {{.Card.Number}}. Balance: {{.Card.Balance}}.`,
		"notice_tier_changed": `Congratulations! {{template "notice" .}}`,
		"points_expiring":     `{{.Business}}: {{count .Bonus "point"}} on your card expire on {{.Expires}}. Use them in time — your balance is {{.Card.Balance}}.`,
		"certificate_low":     `{{.Business}}: your certificate “{{.Card.Program}}” has {{.Card.Balance}} left.`,
		"birthday_greeting":   `Happy birthday{{if .Name}}, {{.Name}}{{end}}{{if .Days}} — it is only {{count .Days "day"}} away{{end}}! All the best from {{.Business}}.{{if .Bonus}} Here are {{count .Bonus "point"}} for you{{if .Expires}}, valid until {{.Expires}}{{end}}.{{end}}`,
		"welcome_card":        `{{.Business}}: thank you for joining! Show card {{.Card.Number}} at the till with every purchase to collect {{if eq .Card.Type "stamp"}}stamps{{else}}points{{end}}.`,
		"inactive":            `We miss you{{if .Name}}, {{.Name}}{{end}}! It has been {{count .Days "day"}} since your last visit.{{if .Bonus}} Here are {{count .Bonus "point"}}{{if .Expires}} until {{.Expires}}{{end}} — see you soon!{{end}}`,

		"rating_prompt": `{{.Business}}: how was your visit on {{.Visit}}? Please rate it from 1 to 5{{if .Buttons}}{{else}} — send a digit{{end}}.`,
		"rating_thanks": `Thank you for the {{.Score}}! We would be glad if you told others about us:{{range .Reviews}}
{{.Name}}: {{.URL}}{{end}}`,
		"rating_thanks_plain":    `Thank you for the {{.Score}}! See you again.`,
		"rating_sorry":           `We are very sorry your visit went wrong. Please tell us what happened — just reply here; we will read it and put it right.{{if .Bonus}} As an apology we added {{count .Bonus "point"}} to your card.{{end}}`,
		"rating_feedback_thanks": `Thank you for telling us. We passed it on to the management.`,
		"rating_staff_alert": `Low rating: {{.Score}} of 5.
Client: {{.Client}}{{if .Phone}}, {{.Phone}}{{end}}
Visit: {{.Visit}}{{if .Branch}}, {{.Branch}}{{end}}{{if .Feedback}}
Feedback: {{.Feedback}}{{end}}`,
		"btn_rate": `{{.Score}}`,

		"referral_reward_referrer": `{{.Business}}: {{if .Friend}}{{.Friend}}{{else}}your friend{{end}} joined through your invitation. We added {{count .Bonus "point"}}{{if .Expires}}, valid until {{.Expires}}{{end}}. Thank you!`,
		"referral_reward_friend":   `{{.Business}}: you came with a friend's invitation — here are {{count .Bonus "point"}}{{if .Expires}}, valid until {{.Expires}}{{end}}.`,
	},
}

// withNoticeAliases adds, for every notice event without a text of its own, a notice_<event> text
// that is the shared "notice": each event can be reworded in config.yaml on its own.
func withNoticeAliases(texts map[string]string) {
	for _, event := range append(slices.Collect(maps.Values(noticeEvents)), "reward_ready", "tier_changed") {
		if _, ok := texts["notice_"+event]; !ok {
			texts["notice_"+event] = `{{template "notice" .}}`
		}
	}
}

// automationNouns are the counted words the automation texts use, by locale.
var automationNouns = map[string]map[string][]string{
	"ru": {"day": {"день", "дня", "дней"}},
	"en": {"day": {"day", "days"}},
}

// reviewLink is a review site offered after a good rating.
type reviewLink struct {
	Name string
	URL  string
}
