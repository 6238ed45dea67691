package pgembed

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrNoBinaries means no directory holding both initdb and pg_ctl was found.
var ErrNoBinaries = errors.New("no PostgreSQL server binaries found (initdb, pg_ctl)")

// debianRoot is where Debian and Ubuntu install one bin dir per major
// version; pg_config on PATH there often belongs to the client package only.
const debianRoot = "/usr/lib/postgresql"

// BinDir returns the directory holding initdb and pg_ctl.
func BinDir() (string, error) {
	return findBinDir(candidateDirs())
}

// binDirFor prefers the binaries of the cluster's own major version, because
// a server refuses data files written by another major version.
func binDirFor(pgVersion string) (string, error) {
	if pgVersion != "" && !strings.ContainsAny(pgVersion, `/\`) {
		if d := filepath.Join(debianRoot, pgVersion, "bin"); hasServerBinaries(d) {
			return d, nil
		}
	}
	return BinDir()
}

func candidateDirs() []string {
	var dirs []string
	if d := pgConfigBinDir(); d != "" {
		dirs = append(dirs, d)
	}
	dirs = append(dirs, debianBinDirs()...)
	return append(dirs, filepath.SplitList(os.Getenv("PATH"))...)
}

func pgConfigBinDir() string {
	path, err := exec.LookPath("pg_config")
	if err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "--bindir").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// debianBinDirs lists the versioned bin dirs newest first; the sort is
// numeric so that 10 beats 9.6.
func debianBinDirs() []string {
	dirs, _ := filepath.Glob(filepath.Join(debianRoot, "*", "bin"))
	slices.SortStableFunc(dirs, func(a, b string) int {
		return compareVersions(filepath.Base(filepath.Dir(b)), filepath.Base(filepath.Dir(a)))
	})
	return dirs
}

func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		x, y := versionPart(as, i), versionPart(bs, i)
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

func versionPart(parts []string, i int) int {
	if i >= len(parts) {
		return 0
	}
	n, err := strconv.Atoi(parts[i])
	if err != nil {
		return -1
	}
	return n
}

// findBinDir returns the first of dirs that holds both initdb and pg_ctl.
func findBinDir(dirs []string) (string, error) {
	for _, d := range dirs {
		// An empty PATH entry means the working directory; running a
		// server binary from wherever we happen to be is not wanted.
		if d == "" || !filepath.IsAbs(d) {
			continue
		}
		if hasServerBinaries(d) {
			return d, nil
		}
	}
	return "", fmt.Errorf(`%w: install them with "apt-get install -y postgresql" or set DATABASE_URL`, ErrNoBinaries)
}

func hasServerBinaries(dir string) bool {
	return isExecutable(filepath.Join(dir, "initdb")) && isExecutable(filepath.Join(dir, "pg_ctl"))
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// Tool returns the path of a client program (pg_dump, pg_restore) shipped
// with the server binaries, so that it is as new as the server it reads.
func Tool(name string) (string, error) {
	dir, err := BinDir()
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, name)
	if !isExecutable(path) {
		return "", fmt.Errorf("no %s next to the PostgreSQL server binaries in %s", name, dir)
	}
	return path, nil
}
