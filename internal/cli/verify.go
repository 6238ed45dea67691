package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"strconv"

	"seedling/internal/evidence"
	"seedling/internal/ledger"
)

const defaultEvidenceDir = "./data/evidence"

// evidenceFlags are the flags of the commands that touch evidence files.
type evidenceFlags struct {
	dir   string
	maxMB int64
}

func (f *evidenceFlags) register(fs *flag.FlagSet, env *environment, withLimit bool) {
	fs.StringVar(&f.dir, "evidence-dir", envOr(env, "SEEDLING_EVIDENCE_DIR", defaultEvidenceDir),
		"directory of the evidence files, outside anything served (env SEEDLING_EVIDENCE_DIR)")
	if withLimit {
		def, err := strconv.ParseInt(envOr(env, "SEEDLING_EVIDENCE_MAX_MB", "20"), 10, 64)
		if err != nil || def <= 0 {
			def = 20
		}
		fs.Int64Var(&f.maxMB, "evidence-max-mb", def, "largest evidence file in MiB (env SEEDLING_EVIDENCE_MAX_MB)")
	}
}

func (f *evidenceFlags) store() *evidence.Dir { return evidence.NewDir(f.dir) }

func (f *evidenceFlags) maxBytes() int64 { return f.maxMB << 20 }

// verify walks every ledger's hash chain, re-hashes every display's rows
// and every evidence file.
// It prints one line per chain or file that no longer holds, naming the
// first broken entry, and fails (exit 1) when anything was altered outside
// the application.
func verify(ctx context.Context, env *environment, args []string) error {
	fs, dbf := commandFlags(env, "verify")
	var evf evidenceFlags
	evf.register(fs, env, false)
	skipFiles := fs.Bool("skip-files", false, "check the chains only, not the evidence files")
	db, err := parseAndOpen(ctx, env, fs, dbf, args)
	if err != nil {
		return err
	}
	defer db.Close()

	rep, err := db.Ledger().VerifyChains(ctx)
	if err != nil {
		return err
	}
	for _, b := range rep.Broken {
		who := ""
		if c, err := db.Candidates().ByID(ctx, b.CandidateID); err == nil {
			who = " (" + c.Name + ", " + c.OrgName + ")"
		}
		fmt.Fprintf(env.stdout, "BROKEN chain of candidate %d%s: %s\n", b.CandidateID, who, b)
	}

	displays, badDisplays, err := db.Ledger().VerifyDisplays(ctx)
	if err != nil {
		return err
	}
	for _, b := range badDisplays {
		fmt.Fprintf(env.stdout, "BROKEN display %d (%s %s, version %d): %s\n", b.ID, b.OrgName, b.Period, b.Version, b.Why)
	}

	files, badFiles := 0, 0
	if !*skipFiles {
		store := evf.store()
		err = db.Ledger().EvidenceFiles(ctx, func(ev ledger.Evidence, candidateID int64) error {
			files++
			if why := checkFile(ctx, store, ev.SHA256, ev.Size); why != "" {
				badFiles++
				fmt.Fprintf(env.stdout, "BROKEN evidence %d of candidate %d, entry %d (%s, sha256 %s): %s\n",
					ev.ID, candidateID, ev.EntryID, ev.Name, ev.SHA256, why)
			}
			return ctx.Err()
		})
		if err != nil {
			return err
		}
	}
	if len(rep.Broken) > 0 || badFiles > 0 || len(badDisplays) > 0 {
		return fmt.Errorf("verify: %d of %d chains, %d of %d displays and %d of %d evidence files do not hold",
			len(rep.Broken), rep.Chains, len(badDisplays), displays, badFiles, files)
	}
	fmt.Fprintf(env.stdout, "ok: %d chains, %d entries, %d displays, %d evidence files\n", rep.Chains, rep.Entries, displays, files)
	return nil
}

// checkFile re-hashes one stored file; "" means it holds.
func checkFile(ctx context.Context, store evidence.Store, sha string, size int64) string {
	r, err := store.Open(ctx, sha)
	if err != nil {
		return "missing from the evidence store"
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.Copy(h, r)
	switch {
	case err != nil:
		return "unreadable: " + err.Error()
	case hex.EncodeToString(h.Sum(nil)) != sha:
		return "content does not match its hash (the file was replaced)"
	case n != size:
		return fmt.Sprintf("size %d, recorded %d", n, size)
	}
	return ""
}
