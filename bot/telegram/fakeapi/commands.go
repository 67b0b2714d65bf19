package fakeapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// BotCommand is one entry of the bot's command menu.
type BotCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// Commands returns the menu set for the default scope and no language,
// which is what every user sees unless a narrower list applies.
func (s *Server) Commands() []BotCommand {
	return s.CommandsFor("default", "")
}

// CommandsFor returns the menu for a scope and language_code. scope is
// the BotCommandScope type ("default", "all_private_chats", ...), with
// ":<chat_id>" and ":<user_id>" appended for the chat-specific scopes,
// e.g. "chat:42" or "chat_member:42:7".
func (s *Server) CommandsFor(scope, languageCode string) []BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands[scope+"|"+languageCode])
}

// commandsKey turns the scope and language_code parameters into the map
// key described at CommandsFor.
func commandsKey(f *form) (string, *apiError) {
	key := "default"
	if raw := f.str("scope"); raw != "" {
		var sc struct {
			Type   string          `json:"type"`
			ChatID json.RawMessage `json:"chat_id"` // a number or "@channel"
			UserID int64           `json:"user_id"`
		}
		if json.Unmarshal([]byte(raw), &sc) != nil || sc.Type == "" {
			return "", badRequest("can't parse BotCommandScope JSON object")
		}
		key = sc.Type
		if sc.ChatID != nil {
			key += ":" + strings.Trim(string(sc.ChatID), `"`)
		}
		if sc.UserID != 0 {
			key += fmt.Sprintf(":%d", sc.UserID)
		}
	}
	return key + "|" + f.str("language_code"), nil
}

func (s *Server) setMyCommands(_ *http.Request, f *form) (any, *apiError) {
	key, err := commandsKey(f)
	if err != nil {
		return nil, err
	}
	var cmds []BotCommand
	if json.Unmarshal([]byte(f.str("commands")), &cmds) != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	if len(cmds) > 100 {
		return nil, badRequest("too many commands specified")
	}
	for _, c := range cmds {
		if err := checkCommand(c); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commands[key] = cmds
	return true, nil
}

// checkCommand applies Telegram's rules: 1-32 of a-z 0-9 _, and a
// description of 1-256 characters. Upper case is refused, not folded.
func checkCommand(c BotCommand) *apiError {
	if len(c.Command) == 0 || len(c.Command) > 32 {
		return badRequest("BOT_COMMAND_INVALID")
	}
	for _, r := range c.Command {
		if !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z') {
			return badRequest("BOT_COMMAND_INVALID")
		}
	}
	if n := len([]rune(c.Description)); n == 0 || n > 256 {
		return badRequest("command description is empty or too long")
	}
	return nil
}

func (s *Server) getMyCommands(_ *http.Request, f *form) (any, *apiError) {
	key, err := commandsKey(f)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cmds := s.commands[key]
	if cmds == nil {
		cmds = []BotCommand{} // Telegram answers [], never null
	}
	return slices.Clone(cmds), nil
}

func (s *Server) deleteMyCommands(_ *http.Request, f *form) (any, *apiError) {
	key, err := commandsKey(f)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.commands, key)
	return true, nil
}
