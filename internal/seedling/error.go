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

// Error is the one error type that crosses package boundaries. Message is shown
// to people as is, so it must never contain internal detail; Fields names the
// input fields at fault.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf builds an Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError builds an invalid-input error that names one field.
func FieldError(field, why string) *Error {
	return &Error{Code: EInvalid, Message: why, Fields: map[string]string{field: why}}
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

// Err returns nil when nothing was added, else one Error listing every field.
func (p *Problems) Err() error {
	if len(p.fields) == 0 {
		return nil
	}
	msg := p.fields[p.order[0]]
	if len(p.order) > 1 {
		msg = fmt.Sprintf("%s (and %d more)", msg, len(p.order)-1)
	}
	return &Error{Code: p.code, Message: msg, Fields: p.fields}
}
