package web

import (
	"fmt"
	"strings"
	"testing"

	"seedling/internal/ledger"
)

type importAudit struct {
	Target  string `db:"target"`
	Summary string `db:"summary"`
}

func (f *ledgerFixture) importAudits(t *testing.T) []importAudit {
	t.Helper()
	var out []importAudit
	if err := f.app.db.SelectContext(t.Context(), &out, `
		SELECT target, summary FROM audit_events WHERE action = 'ledger.import' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	return out
}

func (f *ledgerFixture) head(t *testing.T, id int64) (seq int, hash string) {
	t.Helper()
	if err := f.app.db.QueryRowxContext(t.Context(), `
		SELECT seq, substr(encode(hash, 'hex'), 1, 16) FROM ledger_entries WHERE candidate_id = $1 ORDER BY seq DESC LIMIT 1`, id).Scan(&seq, &hash); err != nil {
		t.Fatal(err)
	}
	return seq, hash
}

// An import writes one audit event per chain it touches, not one per row:
// it names the chain's new head (seq and hash, which verify checks), the
// first seq the file wrote, how many entries and points, the file and the
// quarter.
func TestImportAuditsEachChainOnce(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	seqA, _ := f.head(t, f.a)
	seqA2, _ := f.head(t, f.a2)
	na, na2 := f.name(t, f.a), f.name(t, f.a2)
	rows := [][]string{
		{fmt.Sprint(f.a), na, f.today, "study_attendance", "1", "一"},
		{fmt.Sprint(f.a2), na2, f.today, "study_attendance", "2", "二"},
		{fmt.Sprint(f.a), na, f.today, "study_attendance", "3", "三"},
		{fmt.Sprint(f.a), na, f.today, "task_completion", "2", "四"},
		{fmt.Sprint(f.a2), na2, f.today, "study_attendance", "1", "五"},
	}
	r := f.importFile(t, "积分.csv", importCSVBody(t, rows))
	expectStatus(t, r, 201)
	got := f.importAudits(t)
	if len(got) != 2 {
		t.Fatalf("%d audit events for an import of 5 rows over 2 chains, want 2: %+v", len(got), got)
	}
	byTarget := map[string]string{}
	for _, e := range got {
		byTarget[e.Target] = e.Summary
	}
	for _, want := range []struct {
		id            int64
		from, entries int
		points        int
	}{{f.a, seqA + 1, 3, 6}, {f.a2, seqA2 + 1, 2, 3}} {
		seq, hash := f.head(t, want.id)
		s := byTarget[fmt.Sprintf("candidate:%d", want.id)]
		prefix := fmt.Sprintf("seq=%d hash=%s from_seq=%d entries=%d points=%d file=", seq, hash, want.from, want.entries, want.points)
		if !strings.HasPrefix(s, prefix) || !strings.HasSuffix(s, " period="+f.period()) {
			t.Errorf("candidate %d: summary %q, want %q… period=%s", want.id, s, prefix, f.period())
		}
	}
	rep, err := f.app.db.Ledger().VerifyChains(t.Context())
	if err != nil || len(rep.Broken) > 0 {
		t.Fatalf("after the import: %+v %v", rep.Broken, err)
	}
}

// A file with one bad row writes nothing at all: no entry of its good
// rows, and no audit event.
func TestImportIsAllOrNothing(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	na := f.name(t, f.a)
	before := f.count(t)
	rows := [][]string{
		{fmt.Sprint(f.a), na, f.today, "study_attendance", "1", "好的"},
		{fmt.Sprint(f.a2), f.name(t, f.a2), f.today, "study_attendance", "1", "也好"},
		{fmt.Sprint(f.a), na, f.today, "study_attendance", "99", "分值超限"},
	}
	r := f.importFile(t, "坏表.csv", importCSVBody(t, rows))
	if r.Status != 400 && r.Status != 422 {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	if n := f.count(t) - before; n != 0 {
		t.Errorf("%d entries written from a refused file", n)
	}
	if got := f.importAudits(t); len(got) != 0 {
		t.Errorf("audit events of a refused file: %+v", got)
	}
}

// A row cut from the end of a chain after an import leaves no gap in the
// chain, but the import's audit event still names the head it wrote; a
// row cut from inside the imported run is named as well.
func TestVerifyCatchesARowCutAfterAnImport(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	na, na2 := f.name(t, f.a), f.name(t, f.a2)
	var rows [][]string
	for i := range 4 {
		rows = append(rows, []string{fmt.Sprint(f.a), na, f.today, "study_attendance", "1", fmt.Sprintf("甲%d", i)},
			[]string{fmt.Sprint(f.a2), na2, f.today, "study_attendance", "1", fmt.Sprintf("乙%d", i)})
	}
	expectStatus(t, f.importFile(t, "积分.csv", importCSVBody(t, rows)), 201)
	lastA, _ := f.head(t, f.a)
	ctx := t.Context()
	for _, q := range []string{
		`ALTER TABLE ledger_entries DISABLE TRIGGER USER`,
		fmt.Sprintf(`DELETE FROM ledger_entries WHERE candidate_id = %d AND seq = %d`, f.a, lastA),
		fmt.Sprintf(`DELETE FROM ledger_entries WHERE candidate_id = %d AND seq > (SELECT max(seq) - 2 FROM ledger_entries WHERE candidate_id = %d)`, f.a2, f.a2),
		`ALTER TABLE ledger_entries ENABLE TRIGGER USER`,
	} {
		if _, err := f.app.db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	lastA2, _ := f.head(t, f.a2)
	rep, err := f.app.db.Ledger().VerifyChains(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]ledger.Break{}
	for _, b := range rep.Broken {
		got[b.CandidateID] = b
	}
	if b, ok := got[f.a]; !ok || b.Seq != lastA || !strings.Contains(b.Why, "audit trail") {
		t.Errorf("activist-a, row #%d cut from the end: %+v", lastA, b)
	}
	if b, ok := got[f.a2]; !ok || b.Seq != lastA2+1 || !strings.Contains(b.Why, "audit trail") {
		t.Errorf("branch-a-03, rows after #%d cut: %+v", lastA2, b)
	}
}
