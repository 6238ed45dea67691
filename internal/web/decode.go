package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"

	"seedling/internal/seedling"
)

// decodeJSON reads the request body into v strictly: the content type must be
// JSON, unknown fields are refused (a typo must not silently drop a value),
// and nothing may follow the one JSON value.
func decodeJSON(c *fiber.Ctx, v any) error {
	ct := strings.ToLower(strings.TrimSpace(strings.SplitN(c.Get(fiber.HeaderContentType), ";", 2)[0]))
	if ct != fiber.MIMEApplicationJSON {
		return seedling.Errorf(seedling.EUnsupported, "content type must be application/json")
	}
	dec := json.NewDecoder(bytes.NewReader(c.Body()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return seedling.Errorf(seedling.EInvalid, "body must hold exactly one JSON value")
	}
	return nil
}

// jsonProblem explains a decoding failure in terms a client can act on,
// naming the field when the decoder knows it.
func jsonProblem(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return seedling.Errorf(seedling.EInvalid, "request body is empty")
	case errors.As(err, &syn):
		return seedling.Errorf(seedling.EInvalid, "malformed JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return seedling.Errorf(seedling.EInvalid, "body must be a JSON object")
		}
		return seedling.FieldError(field, fmt.Sprintf("must be %s", typ.Type.String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return seedling.FieldError(name, "unknown field")
	}
	return seedling.Errorf(seedling.EInvalid, "malformed JSON")
}

// pathID reads a numeric id from the route; anything else is simply not found.
func pathID(c *fiber.Ctx, name string) (int64, error) {
	id, err := c.ParamsInt(name)
	if err != nil || id <= 0 {
		return 0, seedling.Errorf(seedling.ENotFound, "not found")
	}
	return int64(id), nil
}

// parseID reads a positive integer id from a query value.
func parseID(s string) (int64, bool) {
	var n int64
	if s == "" || len(s) > 18 {
		return 0, false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int64(r-'0')
	}
	return n, n > 0
}
