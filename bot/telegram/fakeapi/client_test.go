package fakeapi_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"cardbot/bot/telegram/fakeapi"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

func TestGetMeFromToken(t *testing.T) {
	f := newFake(t)
	b := newBot(t, f)
	me, err := b.GetMe(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if me.ID != 123456 || !me.IsBot || me.Username != f.Me().Username {
		t.Fatalf("getMe = %+v", me)
	}
}

func TestPollingReceivesTextCommandAndCallback(t *testing.T) {
	f := newFake(t)
	texts, starts, presses := newUpdates(), newUpdates(), newUpdates()
	b := newBot(t, f, bot.WithDefaultHandler(texts.handler))
	b.RegisterHandler(bot.HandlerTypeMessageText, "start", bot.MatchTypeCommand, starts.handler)
	b.RegisterHandler(bot.HandlerTypeCallbackQueryData, "card:", bot.MatchTypePrefix, presses.handler)
	startPolling(t, b)

	f.SendText(alice.ID, alice, "hello")
	if got := texts.next(t); got.Message.Text != "hello" || got.Message.From.ID != alice.ID ||
		got.Message.Chat.ID != alice.ID || got.Message.Chat.Type != models.ChatTypePrivate {
		t.Fatalf("text update = %+v", got.Message)
	}
	f.SendText(alice.ID, alice, "/start ref_x")
	if got := starts.next(t); got.Message.Text != "/start ref_x" || got.Message.Entities[0].Length != 6 {
		t.Fatalf("command update = %+v", got.Message)
	}

	sent, err := b.SendMessage(ctxT(t), &bot.SendMessageParams{
		ChatID: alice.ID, Text: "Your card",
		ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
			{{Text: "Balance", CallbackData: "card:balance"}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.PressButton(alice.ID, alice, sent.ID, "card:balance")
	got := presses.next(t)
	cq := got.CallbackQuery
	if cq.Data != "card:balance" || cq.Message.Message == nil || cq.Message.Message.ID != sent.ID ||
		cq.Message.Message.ReplyMarkup == nil {
		t.Fatalf("callback = %+v", cq)
	}
	if ok, err := b.AnswerCallbackQuery(ctxT(t), &bot.AnswerCallbackQueryParams{CallbackQueryID: cq.ID, Text: "42 points"}); !ok || err != nil {
		t.Fatalf("answer: %v %v", ok, err)
	}
	if a := f.Answers(); len(a) != 1 || a[0].Text != "42 points" || a[0].ChatID != alice.ID {
		t.Fatalf("answers = %+v", a)
	}
}

func TestHandlerRepliesLandInSent(t *testing.T) {
	f := newFake(t)
	pic := testPNG(t, 8, 8)
	reply := func(ctx context.Context, b *bot.Bot, u *models.Update) {
		chat := u.Message.Chat.ID
		_, _ = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat, Text: "Welcome, <b>" + u.Message.From.FirstName + "</b>", ParseMode: models.ParseModeHTML})
		_, _ = b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: chat, Photo: &models.InputFileUpload{Filename: "qr.png", Data: bytes.NewReader(pic)}})
	}
	b := newBot(t, f)
	b.RegisterHandler(bot.HandlerTypeMessageText, "start", bot.MatchTypeCommandStartOnly, reply)
	startPolling(t, b)

	f.SendText(alice.ID, alice, "/start ref_x")
	sent, err := f.WaitSent(ctxT(t), alice.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	if sent[0].Text != "Welcome, <b>Alice</b>" || sent[1].Method != "sendPhoto" || !bytes.Equal(sent[1].Photo, pic) {
		t.Fatalf("sent = %+v", sent)
	}
	if msgs := f.Messages(alice.ID); len(msgs) != 3 || msgs[1].Text != "Welcome, Alice" || msgs[0].FromBot {
		t.Fatalf("chat = %+v", msgs)
	}
}

func TestMessageIDsIncreasePerChat(t *testing.T) {
	f := newFake(t)
	b := newBot(t, f)
	f.SendText(7, fakeapi.User{}, "hi") // message 1 in chat 7
	m1, _ := b.SendMessage(ctxT(t), &bot.SendMessageParams{ChatID: 7, Text: "a"})
	m2, _ := b.SendMessage(ctxT(t), &bot.SendMessageParams{ChatID: 8, Text: "b"})
	m3, _ := b.SendMessage(ctxT(t), &bot.SendMessageParams{ChatID: 7, Text: "c"})
	if m1.ID != 2 || m2.ID != 1 || m3.ID != 3 {
		t.Fatalf("ids = %d %d %d, want 2 1 3", m1.ID, m2.ID, m3.ID)
	}
}

func TestReplyKeyboardWithRequestContact(t *testing.T) {
	f := newFake(t)
	contacts := newUpdates()
	b := newBot(t, f, bot.WithDefaultHandler(contacts.handler))
	startPolling(t, b)
	_, err := b.SendMessage(ctxT(t), &bot.SendMessageParams{
		ChatID: alice.ID, Text: "Share your phone",
		ReplyMarkup: &models.ReplyKeyboardMarkup{
			Keyboard:       [][]models.KeyboardButton{{{Text: "Share", RequestContact: true}}},
			ResizeKeyboard: true, OneTimeKeyboard: true,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	s := f.SentTo(alice.ID)
	if len(s) != 1 || s[0].Markup == nil || !s[0].Markup.Keyboard[0][0].RequestContact || s[0].Markup.IsInline() {
		t.Fatalf("sent = %+v", s)
	}
	f.SendContact(alice.ID, alice, "+79001234567")
	c := contacts.next(t).Message.Contact
	if c == nil || c.PhoneNumber != "+79001234567" || c.UserID != alice.ID {
		t.Fatalf("contact = %+v", c)
	}
}

func TestSendPhotoUploadKeepsBytes(t *testing.T) {
	f := newFake(t)
	b := newBot(t, f)
	pic := testPNG(t, 5, 3)
	msg, err := b.SendPhoto(ctxT(t), &bot.SendPhotoParams{
		ChatID: alice.ID, Caption: "<b>Your card</b>", ParseMode: models.ParseModeHTML,
		Photo: &models.InputFileUpload{Filename: "card.png", Data: bytes.NewReader(pic)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if msg.Caption != "Your card" || len(msg.Photo) != 1 || msg.Photo[0].Width != 5 || msg.Photo[0].Height != 3 {
		t.Fatalf("message = %+v", msg)
	}
	s := f.SentTo(alice.ID)[0]
	img, err := png.Decode(bytes.NewReader(s.Photo))
	if err != nil || img.Bounds().Dx() != 5 {
		t.Fatalf("uploaded picture: %v", err)
	}
	if s.Method != "sendPhoto" || s.Text != "<b>Your card</b>" || s.FileID != msg.Photo[0].FileID {
		t.Fatalf("sent = %+v", s)
	}

	// The file_id the fake issued can be sent again, and URLs are kept.
	_, err = b.SendPhoto(ctxT(t), &bot.SendPhotoParams{ChatID: alice.ID, Photo: &models.InputFileString{Data: msg.Photo[0].FileID}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.SendPhoto(ctxT(t), &bot.SendPhotoParams{ChatID: alice.ID, Photo: &models.InputFileString{Data: "https://example.com/card.png"}})
	if err != nil {
		t.Fatal(err)
	}
	all := f.SentTo(alice.ID)
	if !bytes.Equal(all[1].Photo, pic) || all[2].PhotoRef != "https://example.com/card.png" || all[2].Photo != nil {
		t.Fatalf("resent = %+v / %+v", all[1], all[2])
	}
}

func TestSendPhotoRefusesNonImage(t *testing.T) {
	f := newFake(t)
	b := newBot(t, f)
	_, err := b.SendPhoto(ctxT(t), &bot.SendPhotoParams{
		ChatID: alice.ID, Photo: &models.InputFileUpload{Filename: "x.png", Data: strings.NewReader("not a picture")},
	})
	if !errors.Is(err, bot.ErrorBadRequest) {
		t.Fatalf("err = %v, want bad request", err)
	}
}

// TestSendPhotoRefusesABrokenPNG: a PNG whose header is damaged or cut short is refused as Telegram
// refuses it, while the fake reads a sound one's size from its header alone.
func TestSendPhotoRefusesABrokenPNG(t *testing.T) {
	f := newFake(t)
	b := newBot(t, f)
	var good bytes.Buffer
	if err := png.Encode(&good, image.NewPaletted(image.Rect(0, 0, 7, 5), color.Palette{color.White, color.Black})); err != nil {
		t.Fatal(err)
	}
	badCRC := bytes.Clone(good.Bytes())
	badCRC[18] ^= 0x40 // the width, under the header's checksum
	for name, data := range map[string][]byte{"damaged header": badCRC, "cut short": good.Bytes()[:20]} {
		_, err := b.SendPhoto(ctxT(t), &bot.SendPhotoParams{ChatID: alice.ID, Photo: &models.InputFileUpload{Filename: "x.png", Data: bytes.NewReader(data)}})
		if !errors.Is(err, bot.ErrorBadRequest) {
			t.Errorf("%s: err = %v, want bad request", name, err)
		}
	}
	m, err := b.SendPhoto(ctxT(t), &bot.SendPhotoParams{ChatID: alice.ID, Photo: &models.InputFileUpload{Filename: "x.png", Data: bytes.NewReader(good.Bytes())}})
	if err != nil || len(m.Photo) == 0 || m.Photo[0].Width != 7 || m.Photo[0].Height != 5 {
		t.Fatalf("sound PNG: %+v, %v", m, err)
	}
}

func TestEditAndDelete(t *testing.T) {
	f := newFake(t)
	b := newBot(t, f)
	ctx := ctxT(t)
	kb := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "Rate", CallbackData: "rate:5"}}}}
	m, _ := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "How was it?", ReplyMarkup: kb})

	edited, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: m.ID, Text: "Thanks!"})
	if err != nil || edited.Text != "Thanks!" || edited.ReplyMarkup != nil || edited.EditDate == 0 {
		t.Fatalf("edit = %+v, %v (an edit without reply_markup drops the keyboard)", edited, err)
	}
	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: m.ID, Text: "Thanks!"})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "message is not modified") {
		t.Fatalf("same edit: %v", err)
	}
	if _, err = b.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: alice.ID, MessageID: m.ID, ReplyMarkup: kb}); err != nil {
		t.Fatal(err)
	}
	if msgs := f.Messages(alice.ID); len(msgs) != 1 || !msgs[0].Edited || msgs[0].Markup == nil {
		t.Fatalf("messages = %+v", msgs)
	}
	if ok, err := b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: alice.ID, MessageID: m.ID}); !ok || err != nil {
		t.Fatalf("delete: %v %v", ok, err)
	}
	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: m.ID, Text: "late"})
	if !errors.Is(err, bot.ErrorBadRequest) {
		t.Fatalf("edit deleted: %v", err)
	}
	want := []string{"sendMessage", "editMessageText", "editMessageReplyMarkup", "deleteMessage"}
	for i, s := range f.SentTo(alice.ID) {
		if s.Method != want[i] {
			t.Fatalf("sent[%d] = %s, want %s", i, s.Method, want[i])
		}
	}
}

func TestCommandsMenu(t *testing.T) {
	f := newFake(t)
	b := newBot(t, f)
	ctx := ctxT(t)
	cmds := []models.BotCommand{{Command: "start", Description: "Get your card"}, {Command: "balance", Description: "Points"}}
	if _, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: cmds}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{
		Commands: []models.BotCommand{{Command: "accrue", Description: "Staff"}},
		Scope:    &models.BotCommandScopeChat{ChatID: 42},
	}); err != nil {
		t.Fatal(err)
	}
	got, err := b.GetMyCommands(ctx, &bot.GetMyCommandsParams{})
	if err != nil || len(got) != 2 || got[1].Command != "balance" {
		t.Fatalf("getMyCommands = %+v, %v", got, err)
	}
	if c := f.Commands(); len(c) != 2 || c[0].Description != "Get your card" {
		t.Fatalf("Commands() = %+v", c)
	}
	if c := f.CommandsFor("chat:42", ""); len(c) != 1 || c[0].Command != "accrue" {
		t.Fatalf("CommandsFor(chat:42) = %+v", c)
	}
	_, err = b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "Start", Description: "x"}}})
	if !errors.Is(err, bot.ErrorBadRequest) {
		t.Fatalf("upper-case command: %v", err)
	}
	if f.Calls("setMyCommands") != 3 || f.Calls("SETMYCOMMANDS") != 3 {
		t.Fatalf("calls = %d", f.Calls("setMyCommands"))
	}
}

func TestInlineButtonValidation(t *testing.T) {
	f := newFake(t)
	b := newBot(t, f)
	for name, btn := range map[string]models.InlineKeyboardButton{
		"data over 64 bytes": {Text: "x", CallbackData: strings.Repeat("d", 65)},
		"no action":          {Text: "x"},
	} {
		_, err := b.SendMessage(ctxT(t), &bot.SendMessageParams{
			ChatID: 1, Text: "t",
			ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{btn}}},
		})
		if !errors.Is(err, bot.ErrorBadRequest) {
			t.Errorf("%s: err = %v, want bad request", name, err)
		}
	}
}

func TestParseModeErrorsSurface(t *testing.T) {
	f := newFake(t)
	b := newBot(t, f)
	_, err := b.SendMessage(ctxT(t), &bot.SendMessageParams{ChatID: 1, Text: "Balance: 10.5", ParseMode: models.ParseModeMarkdown})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "can't parse entities") {
		t.Fatalf("unescaped MarkdownV2: %v", err)
	}
	m, err := b.SendMessage(ctxT(t), &bot.SendMessageParams{ChatID: 1, Text: `*Balance:* 10\.5`, ParseMode: models.ParseModeMarkdown})
	if err != nil || m.Text != "Balance: 10.5" {
		t.Fatalf("escaped MarkdownV2: %+v %v", m, err)
	}
}
