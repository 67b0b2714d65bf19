package fakeapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// apiError is a Bot API failure; the HTTP status equals Code, as Telegram
// does, although clients only read the JSON body.
type apiError struct {
	Code        int
	Description string
	RetryAfter  int
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{Code: http.StatusBadRequest, Description: "Bad Request: " + fmt.Sprintf(format, args...)}
}

func errUnauthorized() *apiError {
	return &apiError{Code: http.StatusUnauthorized, Description: "Unauthorized"}
}

func errNotFound() *apiError {
	return &apiError{Code: http.StatusNotFound, Description: "Not Found"}
}

type okEnvelope struct {
	OK     bool `json:"ok"`
	Result any  `json:"result"`
}

type errEnvelope struct {
	OK          bool         `json:"ok"`
	ErrorCode   int          `json:"error_code"`
	Description string       `json:"description"`
	Parameters  *errorParams `json:"parameters,omitempty"`
}

type errorParams struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

// methodFunc implements one Bot API method. It gets the request for its
// context (the long poll watches it) and the decoded parameters.
type methodFunc func(r *http.Request, f *form) (any, *apiError)

// route maps a method name (already lower-cased, since Telegram method
// names are case-insensitive) to its implementation. chatScoped methods
// act on a chat_id and are subject to BlockBy and rate limits.
func (s *Server) route(name string) (fn methodFunc, chatScoped bool) {
	switch name {
	case "getme":
		return s.getMe, false
	case "getupdates":
		return s.getUpdates, false
	case "setwebhook":
		return s.setWebhook, false
	case "deletewebhook":
		return s.deleteWebhook, false
	case "getwebhookinfo":
		return s.getWebhookInfo, false
	case "sendmessage":
		return s.sendMessage, true
	case "sendphoto":
		return s.sendPhoto, true
	case "editmessagetext":
		return s.editMessageText, true
	case "editmessagereplymarkup":
		return s.editMessageReplyMarkup, true
	case "deletemessage":
		return s.deleteMessage, true
	case "answercallbackquery":
		return s.answerCallbackQuery, false
	case "setmycommands":
		return s.setMyCommands, false
	case "getmycommands":
		return s.getMyCommands, false
	case "deletemycommands":
		return s.deleteMyCommands, false
	}
	return nil, false
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	token, name, ok := splitPath(r.URL.Path)
	if !ok {
		writeError(w, errNotFound())
		return
	}
	if token != s.token {
		writeError(w, errUnauthorized())
		return
	}
	name = strings.ToLower(name)
	fn, chatScoped := s.route(name)
	s.countCall(name)
	if fn == nil {
		writeError(w, errNotFound())
		return
	}
	f, err := parseForm(r)
	if err == nil {
		err = s.gate(name, chatScoped, f)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	result, err := fn(r, f)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, okEnvelope{OK: true, Result: result})
}

// splitPath takes "/bot<token>/<method>" apart.
func splitPath(path string) (token, method string, ok bool) {
	rest, found := strings.CutPrefix(path, "/bot")
	if !found {
		return "", "", false
	}
	token, method, found = strings.Cut(rest, "/")
	if !found || token == "" || method == "" || strings.Contains(method, "/") {
		return "", "", false
	}
	return token, method, true
}

func (s *Server) countCall(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[name]++
}

func writeError(w http.ResponseWriter, e *apiError) {
	env := errEnvelope{OK: false, ErrorCode: e.Code, Description: e.Description}
	if e.RetryAfter > 0 {
		env.Parameters = &errorParams{RetryAfter: e.RetryAfter}
	}
	writeJSON(w, e.Code, env)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Only our own result types reach here; failing to marshal them is
		// a bug in the fake, reported the way Telegram reports its own.
		status = http.StatusInternalServerError
		body = []byte(`{"ok":false,"error_code":500,"description":"Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (s *Server) getMe(*http.Request, *form) (any, *apiError) {
	return s.me, nil
}
