package web

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"seedling/internal/seedling"
)

// statusOf is the one table from domain error code to HTTP status.
var statusOf = map[string]int{
	seedling.EInvalid:      fiber.StatusBadRequest,
	seedling.EUnauthorized: fiber.StatusUnauthorized,
	seedling.EForbidden:    fiber.StatusForbidden,
	seedling.ENotFound:     fiber.StatusNotFound,
	seedling.EConflict:     fiber.StatusConflict,
	seedling.ETooLarge:     fiber.StatusRequestEntityTooLarge,
	seedling.EUnsupported:  fiber.StatusUnsupportedMediaType,
	seedling.ERule:         fiber.StatusUnprocessableEntity,
	seedling.ETooMany:      fiber.StatusTooManyRequests,
	seedling.EUnavailable:  fiber.StatusServiceUnavailable,
	seedling.EInternal:     fiber.StatusInternalServerError,
}

// codeOfStatus turns Fiber's own errors (unknown route, body too large,
// wrong method) into domain codes so they leave in the same shape.
var codeOfStatus = map[int]string{
	fiber.StatusBadRequest:            seedling.EInvalid,
	fiber.StatusNotFound:              seedling.ENotFound,
	fiber.StatusMethodNotAllowed:      seedling.ENotFound,
	fiber.StatusRequestEntityTooLarge: seedling.ETooLarge,
	fiber.StatusUnsupportedMediaType:  seedling.EUnsupported,
	fiber.StatusRequestTimeout:        seedling.EInvalid,
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// asDomain normalises any error into a domain error; unknown errors become
// internal ones whose detail is logged, never shown.
func asDomain(err error) *seedling.Error {
	var de *seedling.Error
	if errors.As(err, &de) {
		return de
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		code, ok := codeOfStatus[fe.Code]
		if !ok {
			code = seedling.EInvalid
		}
		msg := fe.Message
		if fe.Code == fiber.StatusRequestEntityTooLarge {
			msg = "request body is too large"
		}
		return &seedling.Error{Code: code, Message: strings.ToLower(msg)}
	}
	return &seedling.Error{Code: seedling.EInternal, Message: "internal error"}
}

// handleError is Fiber's error handler: the only place where an error becomes
// a status. API paths get JSON; pages get the HTML error page.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	de := asDomain(err)
	status := statusOf[de.Code]
	if status == 0 {
		status = fiber.StatusInternalServerError
	}
	if de.Code == seedling.EInternal {
		s.log.Error("internal error", "request_id", requestID(c), "method", c.Method(), "path", c.Path(), "err", err)
		de = &seedling.Error{Code: seedling.EInternal, Message: "internal error (request " + requestID(c) + ")"}
	}
	if status == fiber.StatusTooManyRequests {
		c.Set(fiber.HeaderRetryAfter, "60")
	}
	if wantsHTML(c) {
		return s.renderError(c, status, de)
	}
	return c.Status(status).JSON(errorBody{Error: errorDetail{Code: de.Code, Message: de.Message, Fields: de.Fields}})
}

// wantsHTML tells a page request from an API call: everything outside the
// API and the machine endpoints is a page.
func wantsHTML(c *fiber.Ctx) bool {
	p := c.Path()
	return !strings.HasPrefix(p, "/api/") && p != "/healthz" && p != "/readyz" && p != "/metrics"
}
