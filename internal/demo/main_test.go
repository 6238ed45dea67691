package demo_test

import (
	"os"
	"testing"

	"seedling/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }
