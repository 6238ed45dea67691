package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"

	"github.com/gofiber/fiber/v2"

	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

// decodeJSON reads the request body into v strictly: the content type must be
// JSON, unknown fields are refused (a typo must not silently drop a value),
// and nothing may follow the one JSON value. Every field then passes its
// kind's check (checkFields), whatever the handler does next.
func decodeJSON(c *fiber.Ctx, v any) error {
	ct := strings.ToLower(strings.TrimSpace(strings.SplitN(c.Get(fiber.HeaderContentType), ";", 2)[0]))
	if ct != fiber.MIMEApplicationJSON {
		return seedling.Errorf(seedling.EUnsupported, "content type must be application/json").Keyed("error.json_required")
	}
	return decodeJSONBytes(c.Body(), v)
}

// decodeJSONBytes is decodeJSON without the request, for the fuzz targets.
func decodeJSONBytes(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return seedling.Errorf(seedling.EInvalid, "body must hold exactly one JSON value").Keyed("error.json_one_value")
	}
	return checkFields("", reflect.ValueOf(v))
}

// checkFields walks a decoded body and checks every field by its kind: all
// text (struct fields, map keys and values, list items) must be text
// (seedling.CheckText: no NUL, no control characters), and every integer
// named "id" or "…_id" must be absent (0) or an id (1..seedling.MaxID).
// Rules about a field's meaning stay with the handler.
func checkFields(name string, v reflect.Value) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return checkFields(name, v.Elem())
	case reflect.String:
		return seedling.CheckText(name, v.String())
	case reflect.Int, reflect.Int32, reflect.Int64:
		n, last := v.Int(), name[strings.LastIndexByte(name, '.')+1:]
		switch {
		case last == "id" || strings.HasSuffix(last, "_id"):
			if n < 0 || n > seedling.MaxID {
				return seedling.FieldProblem(seedling.EInvalid, name, "problem.id_range", fmt.Sprintf("%s must be an id between 1 and %d", name, seedling.MaxID), "Max", seedling.MaxID)
			}
		case last == "year":
			if n != 0 && (n < seedling.MinYear || n > seedling.MaxYear) {
				return seedling.FieldProblem(seedling.EInvalid, name, "problem.year_range", fmt.Sprintf("%s must be a year from %d to %d", name, seedling.MinYear, seedling.MaxYear), "Min", seedling.MinYear, "Max", seedling.MaxYear)
			}
		case n < math.MinInt32 || n > math.MaxInt32:
			return seedling.FieldProblem(seedling.EInvalid, name, "problem.out_of_range", name+" is out of range")
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := strings.Split(f.Tag.Get("json"), ",")[0]
			if !f.IsExported() || tag == "-" {
				continue
			}
			if tag == "" {
				tag = f.Name
			}
			if err := checkFields(join(name, tag), v.Field(i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			k := fmt.Sprint(iter.Key().Interface())
			if err := seedling.CheckText(join(name, "key"), k); err != nil {
				return err
			}
			if err := checkFields(join(name, k), iter.Value()); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if err := checkFields(name, v.Index(i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// jsonProblem explains a decoding failure in terms a client can act on,
// naming the field when the decoder knows it.
func jsonProblem(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return seedling.Errorf(seedling.EInvalid, "request body is empty").Keyed("error.body_empty")
	case errors.As(err, &syn):
		return seedling.Errorf(seedling.EInvalid, "malformed JSON at byte %d", syn.Offset).Keyed("error.json_malformed_at", "Offset", syn.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return seedling.Errorf(seedling.EInvalid, "body must be a JSON object").Keyed("error.json_object")
		}
		return seedling.FieldProblem(seedling.EInvalid, field, "problem.json_type", fmt.Sprintf("must be %s", typ.Type.String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return seedling.FieldProblem(seedling.EInvalid, name, "problem.unknown_field", "unknown field")
	}
	return seedling.Errorf(seedling.EInvalid, "malformed JSON").Keyed("error.json_malformed")
}

// pathID reads a numeric id from the route; anything else is simply not found.
func pathID(c *fiber.Ctx, name string) (int64, error) {
	id, err := seedling.ParseID(name, c.Params(name))
	if err != nil {
		return 0, seedling.NotFound()
	}
	return id, nil
}

// queryID reads an optional id from the query: 0 when absent, a 400 naming
// the field when it is not an id.
func queryID(c *fiber.Ctx, name string) (int64, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	return seedling.ParseID(name, v)
}

// queryInt reads an optional whole number within [lo, hi] from the query,
// def when absent.
func queryInt(c *fiber.Ctx, name string, def, lo, hi int64) (int64, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	return seedling.ParseInt(name, v, lo, hi)
}

// queryPage reads ?limit=&cursor= for a keyset list (api.md: 100 unless
// asked, at most 1,000); a cursor that is not one the list gave is a 400
// from the store.
func queryPage(c *fiber.Ctx) (*postgres.Page, error) {
	limit, err := queryInt(c, "limit", postgres.DefaultPageLimit, 1, postgres.MaxPageLimit)
	if err != nil {
		return nil, err
	}
	return &postgres.Page{Limit: int(limit), Cursor: c.Query("cursor")}, nil
}

// nextOf is a page's `next`: its cursor, or null at the end.
func nextOf(p *postgres.Page) any {
	if p.Next == "" {
		return nil
	}
	return p.Next
}

// formID reads an id from a form field, like queryID.
func formID(c *fiber.Ctx, name string) (int64, error) {
	v := strings.TrimSpace(c.FormValue(name))
	if v == "" {
		return 0, nil
	}
	return seedling.ParseID(name, v)
}
