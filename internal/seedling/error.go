// Package seedling holds the domain: the types, rules and errors of the
// seedling plan. It imports neither HTTP nor SQL so that every rule can be read
// and tested without a server or a database.
package seedling

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to exactly one HTTP status in internal/web; the domain
// never speaks in status numbers.
const (
	EInvalid      = "invalid"       // malformed or invalid input (400)
	EUnauthorized = "unauthorized"  // no valid session (401)
	EForbidden    = "forbidden"     // role lacks the action in its scope (403)
	ENotFound     = "not_found"     // missing or outside the caller's scope (404)
	EConflict     = "conflict"      // conflicts with current state (409)
	ETooLarge     = "too_large"     // body or upload too large (413)
	EUnsupported  = "unsupported"   // wrong content type (415)
	ERule         = "rule_violated" // a rule of the process says no (422)
	ETooMany      = "too_many"      // throttled (429)
	EUnavailable  = "unavailable"   // a dependency is down (503)
	EInternal     = "internal"      // a bug or an infrastructure failure (500)
)

// Error is the one error type that crosses package boundaries. Key and
// Params name its message in the web layer's catalogs, which word it in the
// reader's language; Message is the same in plain text for logs and the
// command line, and the fallback while a message has no key yet. Fields
// names the input fields at fault, FieldKeys the catalog message of each.
// Neither may contain internal detail.
type Error struct {
	Code      string
	Message   string
	Fields    map[string]string
	Key       string
	Params    map[string]any
	FieldKeys map[string]Problem
	// More counts the further problems behind the first, which Message
	// and Key describe.
	More int
}

// Problem is one coded reason: a catalog key and the values it quotes.
type Problem struct {
	Key    string
	Params map[string]any
}

// Words is a value a problem quotes that the rules write in both
// languages (a fact's label, a step's name, article numbers): the reader
// sees the one in their language.
type Words struct{ Zh, En string }

// Params builds a parameter map from name, value pairs.
func Params(pairs ...any) map[string]any {
	if len(pairs) < 2 {
		return nil
	}
	m := make(map[string]any, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		m[fmt.Sprint(pairs[i])] = pairs[i+1]
	}
	return m
}

// Keyed names the catalog message of e, with name, value pairs as its
// parameters, and returns e.
func (e *Error) Keyed(key string, pairs ...any) *Error {
	e.Key, e.Params = key, Params(pairs...)
	return e
}

// KeyedField names the catalog message that says why field is wrong.
func (e *Error) KeyedField(field, key string, pairs ...any) *Error {
	if e.FieldKeys == nil {
		e.FieldKeys = map[string]Problem{}
	}
	e.FieldKeys[field] = Problem{Key: key, Params: Params(pairs...)}
	return e
}

func (e *Error) Error() string {
	if e.More > 0 {
		return fmt.Sprintf("%s: %s (and %d more)", e.Code, e.Message, e.More)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf builds an Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError builds an invalid-input error that names one field.
func FieldError(field, why string) *Error {
	return &Error{Code: EInvalid, Message: why, Fields: map[string]string{field: why}}
}

// NotFound answers for anything missing or outside the caller's scope, in
// the same words for both so that a scope is not revealed by its answer.
func NotFound() *Error { return Errorf(ENotFound, "not found").Keyed("error.not_found") }

// FieldProblem builds an error with code that names one field, worded by
// the catalog key with name, value pairs both as the whole message and as
// the field's reason: most refusals are about one field. text is the same
// in plain words for logs.
func FieldProblem(code, field, key, text string, pairs ...any) *Error {
	e := FieldError(field, text).Keyed(key, pairs...).KeyedField(field, key, pairs...)
	e.Code = code
	return e
}

// ErrorCode returns the code of err, or EInternal for anything that is not an
// *Error: an unexpected error is a bug until proven otherwise.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the human message of err; internal errors get a generic
// text so that no detail leaks to the client.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// Problems collects field errors during validation so that a form or request
// reports every fault at once rather than the first one.
type Problems struct {
	code   string
	fields map[string]string
	keys   map[string]Problem
	order  []string
}

// NewProblems starts a collection whose resulting error has the given code.
func NewProblems(code string) *Problems { return &Problems{code: code} }

// Add records why field is wrong; the first reason for a field wins.
func (p *Problems) Add(field, why string) {
	if p.fields == nil {
		p.fields = map[string]string{}
	}
	if _, ok := p.fields[field]; ok {
		return
	}
	p.fields[field] = why
	p.order = append(p.order, field)
}

// AddKey records why field is wrong as a catalog key with name, value
// pairs; text is the same in plain words for logs.
func (p *Problems) AddKey(field, key, text string, pairs ...any) {
	if _, ok := p.fields[field]; ok {
		return
	}
	p.Add(field, text)
	if p.keys == nil {
		p.keys = map[string]Problem{}
	}
	p.keys[field] = Problem{Key: key, Params: Params(pairs...)}
}

// AddProblem records why field is wrong as a coded problem; text is the
// same in plain words for logs. A problem without a key is text alone.
func (p *Problems) AddProblem(field string, pr Problem, text string) {
	if _, ok := p.fields[field]; ok {
		return
	}
	p.Add(field, text)
	if pr.Key == "" {
		return
	}
	if p.keys == nil {
		p.keys = map[string]Problem{}
	}
	p.keys[field] = pr
}

// AddErr records err as the reason field is wrong, keeping its catalog key.
func (p *Problems) AddErr(field string, err error) {
	var e *Error
	if errors.As(err, &e) && e.Key != "" {
		p.AddKey(field, e.Key, e.Message)
		p.keys[field] = Problem{Key: e.Key, Params: e.Params}
		return
	}
	p.Add(field, ErrorMessage(err))
}

// Err returns nil when nothing was added, else one Error listing every field.
func (p *Problems) Err() error {
	if len(p.fields) == 0 {
		return nil
	}
	first := p.order[0]
	e := &Error{Code: p.code, Message: p.fields[first], Fields: p.fields, FieldKeys: p.keys, More: len(p.order) - 1}
	if k, ok := p.keys[first]; ok {
		e.Key, e.Params = k.Key, k.Params
	}
	return e
}
