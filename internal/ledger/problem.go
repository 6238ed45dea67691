package ledger

import (
	"fmt"

	"seedling/internal/seedling"
)

// Problem is one thing wrong with an input. Code names it for the UI's
// message catalogs ("problem.<code>", filled with Args); Text says it in
// English for the API. Rule tells a rule of the process (422) from
// malformed input (400).
type Problem struct {
	Field string
	Code  string
	Rule  bool
	Args  map[string]any
	Text  string
}

// Problems collects every problem of one input so that a form or a file is
// reported in one pass.
type Problems struct{ list []Problem }

// invalid records malformed input; args are name, value pairs for the
// message catalog.
func (p *Problems) invalid(field, code, text string, args ...any) {
	p.add(Problem{Field: field, Code: code, Text: text, Args: pairs(args)})
}

// rule records a rule of the process that says no.
func (p *Problems) rule(field, code, text string, args ...any) {
	p.add(Problem{Field: field, Code: code, Rule: true, Text: text, Args: pairs(args)})
}

// Coded is the problem as the catalogs word it ("problem.<code>").
func (pr Problem) Coded() seedling.Problem {
	return seedling.Problem{Key: "problem." + pr.Code, Params: pr.Args}
}

func (p *Problems) add(pr Problem) { p.list = append(p.list, pr) }

// Len is how many problems were found.
func (p *Problems) Len() int { return len(p.list) }

// List returns the problems in the order found.
func (p *Problems) List() []Problem { return p.list }

// Merge appends other's problems, with each field renamed by rename.
func (p *Problems) Merge(other []Problem, rename func(string) string) {
	for _, pr := range other {
		if rename != nil {
			pr.Field = rename(pr.Field)
		}
		p.add(pr)
	}
}

func pairs(args []any) map[string]any {
	if len(args) == 0 {
		return nil
	}
	m := make(map[string]any, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		m[fmt.Sprint(args[i])] = args[i+1]
	}
	return m
}

// Err returns nil when nothing was found, else an *InputError: 400 when any
// problem is malformed input, 422 when every problem is a rule saying no.
func (p *Problems) Err() error {
	if len(p.list) == 0 {
		return nil
	}
	code := seedling.ERule
	fields := make(map[string]string, len(p.list))
	keys := make(map[string]seedling.Problem, len(p.list))
	for _, pr := range p.list {
		if !pr.Rule {
			code = seedling.EInvalid
		}
		if _, ok := fields[pr.Field]; !ok {
			fields[pr.Field] = pr.Text
			keys[pr.Field] = pr.Coded()
		}
	}
	first := p.list[0].Coded()
	return &InputError{Problems: p.list, err: &seedling.Error{Code: code, Message: p.list[0].Text, Fields: fields,
		Key: first.Key, Params: first.Params, FieldKeys: keys, More: len(p.list) - 1}}
}

// InputError carries the structured problems of a refused input for pages
// that explain each one in the reader's language; it unwraps to the
// *seedling.Error every other layer understands.
type InputError struct {
	Problems []Problem
	err      *seedling.Error
}

func (e *InputError) Error() string { return e.err.Error() }
func (e *InputError) Unwrap() error { return e.err }
