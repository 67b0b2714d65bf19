package admin

import (
	"errors"
	"log/slog"

	"cardbot"

	"github.com/gofiber/fiber/v2"
)

// statusOf is the one place where error codes become HTTP statuses.
func statusOf(code cardbot.ErrorCode) int {
	switch code {
	case cardbot.Invalid:
		return fiber.StatusBadRequest
	case cardbot.Unauthorized:
		return fiber.StatusUnauthorized
	case cardbot.Forbidden:
		return fiber.StatusForbidden
	case cardbot.NotFound:
		return fiber.StatusNotFound
	case cardbot.Conflict:
		return fiber.StatusConflict
	case cardbot.Unavailable:
		return fiber.StatusServiceUnavailable
	}
	return fiber.StatusInternalServerError
}

// fiberCodes names the errors fiber itself raises before a handler runs (no route, body too large…).
var fiberCodes = map[int]cardbot.ErrorCode{
	fiber.StatusNotFound:              cardbot.NotFound,
	fiber.StatusMethodNotAllowed:      cardbot.Invalid,
	fiber.StatusRequestEntityTooLarge: cardbot.Invalid,
	fiber.StatusBadRequest:            cardbot.Invalid,
	fiber.StatusRequestTimeout:        cardbot.Invalid,
	fiber.StatusUnsupportedMediaType:  cardbot.Invalid,
	fiber.StatusTooManyRequests:       cardbot.Unavailable,
	fiber.StatusUnauthorized:          cardbot.Unauthorized,
	fiber.StatusForbidden:             cardbot.Forbidden,
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    cardbot.ErrorCode `json:"code"`
	Message string            `json:"message"`
}

// errorHandler answers every failed request with {"error":{"code","message"}}. Internal errors are
// logged with their detail and answered with a generic message.
func errorHandler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		var fe *fiber.Error
		if errors.As(err, &fe) {
			code, ok := fiberCodes[fe.Code]
			if !ok {
				code = cardbot.Invalid
			}
			return c.Status(fe.Code).JSON(errorBody{errorDetail{code, fe.Message}})
		}
		code := cardbot.CodeOf(err)
		if code == cardbot.Internal {
			log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
		}
		return c.Status(statusOf(code)).JSON(errorBody{errorDetail{code, cardbot.MessageOf(err)}})
	}
}
