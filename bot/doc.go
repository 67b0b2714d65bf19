// Package bot is the channel-neutral side of messaging. Its Dispatcher is the only thing that sends
// the outbox: it picks each row's channel (the conversation's own for replies, the owner's route for
// the row's event or kind, else the cascade), holds marketing over quiet hours, paces channels and
// chats, retries passing failures, falls through on final ones and records every attempt on the row. Channel adapters live in subpackages and only
// implement cardbot.Sender.
package bot
