package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"

	"seedling/internal/evidence"
	"seedling/internal/postgres"
)

// restore loads a backup into an empty database and an empty evidence
// directory. Everything is checked against the manifest before anything is
// written; the database is restored in one transaction, and the evidence
// directory appears only once the database is in.
func restore(ctx context.Context, env *environment, args []string) error {
	fs, dbf := commandFlags(env, "restore")
	var evf evidenceFlags
	evf.register(fs, env, false)
	from := fs.String("from", "", "directory a seedling backup wrote")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" {
		return errors.New("usage: seedling restore --from DIR")
	}
	m, err := checkBackup(*from)
	if err != nil {
		return err
	}
	if m.SchemaVersion > postgres.LatestMigration() {
		return fmt.Errorf("the backup has schema version %d, newer than this build's %d: restore with a newer seedling", m.SchemaVersion, postgres.LatestMigration())
	}
	if err := requireEmptyDir(evf.dir); err != nil {
		return fmt.Errorf("evidence directory: %v: restore only into a new, empty one", err)
	}
	db, err := openDatabase(ctx, env, *dbf)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.PrepareRestore(ctx); err != nil {
		return err
	}

	// Evidence goes to a directory beside the target first, so that a
	// failed restore leaves the target as empty as it was.
	target, err := filepath.Abs(evf.dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o750); err != nil {
		return err
	}
	staging, err := os.MkdirTemp(filepath.Dir(target), ".restoring-evidence-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(staging) // a no-op once renamed
	store := evidence.NewDir(staging)
	for rel, sha := range m.Files {
		if rel == dumpFile {
			continue
		}
		f, err := os.Open(filepath.Join(*from, filepath.FromSlash(rel)))
		if err != nil {
			return err
		}
		info, err := store.Put(ctx, f, 1<<62)
		f.Close()
		if err != nil {
			return fmt.Errorf("restoring evidence %s: %v", sha, err)
		}
		if info.SHA256 != sha {
			return fmt.Errorf("evidence %s changed while it was restored", rel)
		}
	}
	if err := pgTool(ctx, "pg_restore", db.DSN(), "--no-owner", "--exit-on-error", "--single-transaction",
		filepath.Join(*from, dumpFile)); err != nil {
		return err
	}
	heads, err := db.ChainHeads(ctx)
	if err != nil {
		return err
	}
	if !maps.Equal(heads, m.ChainHeads) {
		return errors.New("the restored ledger chains do not end where the manifest says: do not use this database")
	}
	if err := os.Remove(target); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.Rename(staging, target); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "restored schema %d, %d chains, %d evidence files; run seedling verify\n", m.SchemaVersion, len(heads), len(m.Files)-1)
	return nil
}

// checkBackup reads the manifest and re-hashes every file it lists.
func checkBackup(dir string) (manifest, error) {
	var m manifest
	b, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if err != nil {
		return m, fmt.Errorf("%s is not a complete seedling backup: %v", dir, err)
	}
	if err := json.Unmarshal(b, &m); err != nil || m.Format != 1 {
		return m, fmt.Errorf("%s: unreadable manifest", dir)
	}
	if _, ok := m.Files[dumpFile]; !ok {
		return m, fmt.Errorf("%s: the manifest lists no %s", dir, dumpFile)
	}
	for rel, want := range m.Files {
		if !filepath.IsLocal(filepath.FromSlash(rel)) || (rel != dumpFile && !evidence.ValidSHA256(path.Base(rel))) {
			return m, fmt.Errorf("%s: the manifest names %q", dir, rel)
		}
		got, err := hashFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return m, fmt.Errorf("backup file %s: %v", rel, err)
		}
		if got != want {
			return m, fmt.Errorf("backup file %s does not match its hash in the manifest: the backup is damaged", rel)
		}
	}
	return m, nil
}
