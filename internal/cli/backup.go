package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"seedling/internal/evidence"
	"seedling/internal/pgembed"
)

const (
	manifestFile = "manifest.json"
	dumpFile     = "database.dump"
	evidenceSub  = "evidence"
)

// manifest describes a backup: restore checks every file against it before
// it writes anything, and the restored chain heads against ChainHeads.
type manifest struct {
	Format        int               `json:"format"`
	CreatedAt     time.Time         `json:"created_at"`
	SchemaVersion int64             `json:"schema_version"`
	ChainHeads    map[string]string `json:"chain_heads"` // candidate id -> hash of its newest ledger row
	Files         map[string]string `json:"files"`       // slash path inside the backup -> SHA-256
}

// backup writes a consistent pg_dump of the database, a copy of every
// evidence file the ledger names, and manifest.json, last: a backup without
// a manifest was interrupted and restore refuses it.
func backup(ctx context.Context, env *environment, args []string) error {
	fs, dbf := commandFlags(env, "backup")
	var evf evidenceFlags
	evf.register(fs, env, false)
	out := fs.String("out", "", "directory to write the backup to; must be new or empty")
	db, err := parseAndOpen(ctx, env, fs, dbf, args)
	if err != nil {
		return err
	}
	defer db.Close()
	if *out == "" {
		return errors.New("usage: seedling backup --out DIR")
	}
	if err := requireEmptyDir(*out); err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o700); err != nil {
		return err
	}

	// pg_dump reads the snapshot this transaction exported, so the dump,
	// the chain heads and the list of evidence files agree.
	snap, err := db.BeginSnapshot(ctx)
	if err != nil {
		return fmt.Errorf("backup: %v", err)
	}
	defer snap.Close()
	m := manifest{Format: 1, CreatedAt: time.Now().UTC(), SchemaVersion: snap.SchemaVersion,
		ChainHeads: snap.ChainHeads, Files: map[string]string{}}
	// The serving login's password is a secret of the running server,
	// not of the records; a restored database gets its own.
	if err := pgTool(ctx, "pg_dump", db.DSN(), "--format=custom", "--no-owner", "--snapshot="+snap.ID,
		"--exclude-table-data=serving_login", "--file="+filepath.Join(*out, dumpFile)); err != nil {
		return err
	}
	if m.Files[dumpFile], err = hashFile(filepath.Join(*out, dumpFile)); err != nil {
		return err
	}
	store := evf.store()
	for _, sha := range snap.Evidence {
		rel := evidenceSub + "/" + sha[:2] + "/" + sha
		if err := copyEvidence(ctx, store, sha, filepath.Join(*out, filepath.FromSlash(rel))); err != nil {
			return fmt.Errorf("backup: evidence %s: %v", sha, err)
		}
		m.Files[rel] = sha
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := writeSynced(filepath.Join(*out, manifestFile), b); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "backup written to %s: schema %d, %d chains, %d evidence files\n", *out, m.SchemaVersion, len(m.ChainHeads), len(snap.Evidence))
	return nil
}

// requireEmptyDir accepts a missing or empty directory.
func requireEmptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("%s is not empty", dir)
	}
	return nil
}

// copyEvidence copies one stored file, refusing it when its content no
// longer matches its hash: a backup must not carry a replaced file.
func copyEvidence(ctx context.Context, store evidence.Store, sha, dst string) error {
	r, err := store.Open(ctx, sha)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(f, h), r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && hex.EncodeToString(h.Sum(nil)) != sha {
		err = errors.New("content does not match its hash (run seedling verify)")
	}
	return err
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func writeSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// pgTool runs pg_dump or pg_restore from the server's bin directory against
// dsn. The password goes through the environment, not the command line,
// where every local user could read it.
func pgTool(ctx context.Context, name, dsn string, args ...string) error {
	path, err := pgembed.Tool(name)
	if err != nil {
		return err
	}
	env := os.Environ()
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" && u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
			dsn = u.String()
		}
	}
	cmd := exec.CommandContext(ctx, path, append(args, "--dbname="+dsn)...)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(out.String())
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("%s failed: %s", name, oneLine(errors.New(msg)))
	}
	return nil
}
