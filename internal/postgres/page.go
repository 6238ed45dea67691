package postgres

import (
	"encoding/base64"
	"encoding/json"

	"seedling/internal/seedling"
)

// Page asks a list for one keyset page: at most Limit rows after the row
// Cursor names, in the list's own stable order. The store fills Next with
// the cursor of the page that follows, or leaves it empty at the end. A
// filter without a Page reads the whole list (exports and screens that show
// one node's few rows).
type Page struct {
	Limit  int
	Cursor string
	Next   string
}

// Page sizes per the API contract: 100 unless asked, never above 1,000.
const (
	DefaultPageLimit = 100
	MaxPageLimit     = 1000
)

func (p *Page) limit() int {
	if p.Limit <= 0 {
		return DefaultPageLimit
	}
	return min(p.Limit, MaxPageLimit)
}

// key decodes the cursor into the list's sort key; false when there is no
// cursor. A cursor is opaque to clients (base64 of the last row's key), and
// one that does not decode is the client's mistake, a 400.
func (p *Page) key(k any) (bool, error) {
	if p == nil || p.Cursor == "" {
		return false, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(p.Cursor)
	if err == nil {
		err = json.Unmarshal(b, k)
	}
	if err != nil {
		return false, seedling.FieldProblem(seedling.EInvalid, "cursor", "problem.cursor_foreign", "cursor is not one this list gave")
	}
	return true, nil
}

// cut keeps the page's rows of the limit+1 read and sets Next from the key of
// the last row kept, when a further row showed there is more.
func cut[T any](p *Page, rows []T, key func(T) any) []T {
	if p == nil || len(rows) <= p.limit() {
		if p != nil {
			p.Next = ""
		}
		return rows
	}
	rows = rows[:p.limit()]
	b, _ := json.Marshal(key(rows[len(rows)-1]))
	p.Next = base64.RawURLEncoding.EncodeToString(b)
	return rows
}

// pathKey is the sort key of lists of people: node path, name, id.
type pathKey struct {
	Path string `json:"p"`
	Name string `json:"n"`
	ID   int64  `json:"i"`
}

// after adds the keyset condition and the LIMIT of a list ordered by
// (path, name, id) to where/args, and returns the LIMIT clause.
func (p *Page) afterPath(cols string, where []string, args []any) ([]string, []any, string, error) {
	if p == nil {
		return where, args, "", nil
	}
	var k pathKey
	ok, err := p.key(&k)
	if err != nil {
		return nil, nil, "", err
	}
	if ok {
		args = append(args, k.Path, k.Name, k.ID)
		n := len(args)
		where = append(where, `(`+cols+`) > ($`+itoa(int64(n-2))+`, $`+itoa(int64(n-1))+`, $`+itoa(int64(n))+`)`)
	}
	args = append(args, p.limit()+1)
	return where, args, ` LIMIT $` + itoa(int64(len(args))), nil
}
