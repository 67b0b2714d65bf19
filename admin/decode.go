package admin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"cardbot"

	"github.com/gofiber/fiber/v2"
)

// decodeJSON reads the request body into v strictly: one JSON object, no unknown fields, no trailing
// data. Every failure is an Invalid error that says what is wrong in words a till developer can act on.
func decodeJSON(c *fiber.Ctx, v any) error {
	if ct := c.Get(fiber.HeaderContentType); ct != "" && !strings.HasPrefix(ct, fiber.MIMEApplicationJSON) {
		return cardbot.Errorf(cardbot.Invalid, "send the body as application/json, not %q", ct)
	}
	body := bytes.TrimSpace(c.Body())
	if len(body) == 0 {
		return cardbot.Errorf(cardbot.Invalid, "the request body is empty: send a JSON object")
	}
	if body[0] != '{' {
		return cardbot.Errorf(cardbot.Invalid, "the request body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return cardbot.Errorf(cardbot.Invalid, "unexpected data after the JSON object")
	}
	return nil
}

// jsonProblem turns encoding/json's errors into messages with the field and the expected type.
func jsonProblem(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var own *cardbot.Error
	switch {
	case errors.As(err, &own):
		return own
	case errors.As(err, &syntax):
		return cardbot.Errorf(cardbot.Invalid, "malformed JSON at byte %d: %s", syntax.Offset, syntax.Error())
	case errors.As(err, &typ):
		if typ.Field == "" {
			return cardbot.Errorf(cardbot.Invalid, "expected a JSON %s, got %s", typ.Type, typ.Value)
		}
		return cardbot.Errorf(cardbot.Invalid, "field %q must be %s, got %s", typ.Field, jsonKind(typ.Type.String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return cardbot.Errorf(cardbot.Invalid, "the JSON body ends too early")
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return cardbot.Errorf(cardbot.Invalid, "%s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return cardbot.Errorf(cardbot.Invalid, "malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

// jsonKind names a Go type the way a JSON user thinks of it.
func jsonKind(goType string) string {
	switch {
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "a whole number in range"
	case goType == "string":
		return "a string"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	}
	return fmt.Sprintf("a %s", goType)
}
