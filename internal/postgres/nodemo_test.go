package postgres_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// The storage package knows nothing of the demo: the demo's rows are made
// in internal/demo and come in through CopyHistory like any other history.
// No file and no declaration here is named for it, and no file reads the
// demo's seed files.
func TestStorageHoldsNoDemoCode(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.ToLower(name), "demo") {
			t.Errorf("file %s", name)
		}
		for _, imp := range f.Imports {
			if p := strings.Trim(imp.Path.Value, `"`); p == "seedling/seeds" || strings.HasPrefix(p, "seedling/internal/demo") {
				t.Errorf("%s imports %s", name, p)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && (n == f.Name || isDeclared(f, id)) && strings.Contains(strings.ToLower(id.Name), "demo") {
				t.Errorf("%s declares %s", name, id.Name)
			}
			return true
		})
	}
}

// isDeclared says whether id names something f declares at its top level
// (a function, method, type, variable or constant).
func isDeclared(f *ast.File, id *ast.Ident) bool {
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Name == id {
				return true
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					if s.Name == id {
						return true
					}
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if n == id {
							return true
						}
					}
				}
			}
		}
	}
	return false
}
