package fakeapi_test

import (
	"context"
	"fmt"
	"time"

	"cardbot/bot/telegram/fakeapi"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// The real client polls the fake; a test injects what the user does and
// reads back what the bot sent.
func Example() {
	fake := fakeapi.New("123:abc")
	fake.Start()
	defer fake.Close()

	echo := func(ctx context.Context, b *bot.Bot, u *models.Update) {
		_, _ = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.Message.Chat.ID, Text: "You said: " + u.Message.Text})
	}
	b, err := bot.New("123:abc", bot.WithServerURL(fake.URL()), bot.WithDefaultHandler(echo))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.Start(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	fake.SendText(42, fakeapi.User{FirstName: "Ann"}, "hello")
	wait, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	sent, err := fake.WaitSent(wait, 42, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sent[0].Method, sent[0].ChatID, sent[0].Text)
	// Output: sendMessage 42 You said: hello
}
