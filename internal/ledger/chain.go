package ledger

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// Record is what the hash of one chain row covers. Rows point at each other
// by their place in the chain (ReversesSeq, EvidenceOfSeq), never by database
// id, so a chain can be checked on its own.
type Record struct {
	CandidateID int64
	Seq         int
	Kind        string
	Category    string
	Points      int
	OccurredOn  string // YYYY-MM-DD, "" for evidence rows
	Period      string
	Description string
	ReversesSeq int // 0 unless a reversal
	Reason      string
	// Evidence rows: the entry the file documents and the file itself.
	EvidenceOfSeq  int
	EvidenceSHA256 string
	EvidenceName   string
	EvidenceSize   int64
	EvidenceType   string
	RecordedByID   int64 // 0 when no account recorded it (demo data)
	RecordedBy     string
	RecordedAt     time.Time
	// LateReason of a late record (补录). It is hashed only when not empty,
	// so rows written before it existed keep their hash.
	LateReason string
}

// Genesis is the previous hash of every chain's first row.
var Genesis = make([]byte, sha256.Size)

// chainTag versions the canonical form; a change of form is a new tag.
const chainTag = "seedling.ledger.v1"

// RecordedAtLayout writes RecordedAt at the microsecond, the precision
// PostgreSQL keeps, so that a value read back hashes like the one written.
const RecordedAtLayout = "2006-01-02T15:04:05.000000Z"

// Canonical is the byte form the hash covers: the tag, then every field of
// the record in the order of the struct, each as a 4-byte big-endian length
// followed by its UTF-8 text (integers in decimal, RecordedAt in UTC at the
// microsecond), then the late reason when there is one. Length prefixes
// make the encoding unambiguous: no two records share it (a record with a
// late reason has one field more than every record without).
func (r Record) Canonical() []byte {
	b := appendField(nil, chainTag)
	for _, f := range []string{
		strconv.FormatInt(r.CandidateID, 10),
		strconv.Itoa(r.Seq),
		r.Kind,
		r.Category,
		strconv.Itoa(r.Points),
		r.OccurredOn,
		r.Period,
		r.Description,
		strconv.Itoa(r.ReversesSeq),
		r.Reason,
		strconv.Itoa(r.EvidenceOfSeq),
		r.EvidenceSHA256,
		r.EvidenceName,
		strconv.FormatInt(r.EvidenceSize, 10),
		r.EvidenceType,
		strconv.FormatInt(r.RecordedByID, 10),
		r.RecordedBy,
		r.RecordedAt.UTC().Format(RecordedAtLayout),
	} {
		b = appendField(b, f)
	}
	if r.LateReason != "" {
		b = appendField(b, r.LateReason)
	}
	return b
}

func appendField(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// Hash chains a record to its predecessor: SHA-256(prev || canonical).
func Hash(prev []byte, r Record) []byte {
	h := sha256.New()
	h.Write(prev)
	h.Write(r.Canonical())
	return h.Sum(nil)
}

// Break names the first row of a chain that does not hold.
type Break struct {
	CandidateID int64
	EntryID     int64 // 0 when the row is missing altogether
	Seq         int
	Why         string
}

func (b Break) String() string {
	if b.EntryID == 0 {
		return fmt.Sprintf("candidate %d, entry #%d: %s", b.CandidateID, b.Seq, b.Why)
	}
	return fmt.Sprintf("candidate %d, entry #%d (id %d): %s", b.CandidateID, b.Seq, b.EntryID, b.Why)
}

// Verifier walks one chain row by row, in seq order, and stops at the first
// row that does not hold: a gap in the numbering (a removed row), a previous
// hash that is not the last row's hash (a row removed or reordered), or a
// hash that does not match the content (a changed row).
type Verifier struct {
	candidate int64
	next      int
	prev      []byte
	hashes    map[int][]byte
	broken    *Break
}

// NewVerifier starts the walk of one candidate's chain.
func NewVerifier(candidateID int64) *Verifier {
	return &Verifier{candidate: candidateID, next: 1, prev: Genesis, hashes: map[int][]byte{}}
}

// Add checks the next row. It returns the break once one is found.
func (v *Verifier) Add(id int64, r Record, prev, hash []byte) *Break {
	if v.broken != nil {
		return v.broken
	}
	fail := func(seq int, why string) *Break {
		v.broken = &Break{CandidateID: v.candidate, EntryID: id, Seq: seq, Why: why}
		return v.broken
	}
	switch {
	case r.CandidateID != v.candidate:
		return fail(r.Seq, "belongs to another chain")
	case r.Seq != v.next:
		v.broken = &Break{CandidateID: v.candidate, Seq: v.next, Why: fmt.Sprintf("missing (the next row is #%d)", r.Seq)}
		return v.broken
	case !bytes.Equal(prev, v.prev):
		return fail(r.Seq, "does not follow the row before it (previous hash differs)")
	case !bytes.Equal(Hash(prev, r), hash):
		return fail(r.Seq, "content does not match its hash (altered)")
	}
	v.hashes[r.Seq] = hash
	v.prev, v.next = hash, v.next+1
	return nil
}

// Length is how many rows held.
func (v *Verifier) Length() int { return v.next - 1 }

// Broken returns the first break found, if any.
func (v *Verifier) Broken() *Break { return v.broken }

// Confirm checks a claim made elsewhere (the audit trail writes the seq and
// hash of every row it records) against the chain: a row removed from the
// end of a chain leaves no gap, but its audit row still names it.
func (v *Verifier) Confirm(seq int, hashPrefix string) *Break {
	if v.broken != nil {
		return v.broken
	}
	h, ok := v.hashes[seq]
	switch {
	case !ok:
		v.broken = &Break{CandidateID: v.candidate, Seq: seq, Why: "named in the audit trail but missing from the ledger"}
	case len(hashPrefix) == 0 || len(hashPrefix) > 2*len(h) || hex.EncodeToString(h)[:len(hashPrefix)] != hashPrefix:
		v.broken = &Break{CandidateID: v.candidate, Seq: seq, Why: "hash differs from the one the audit trail recorded"}
	}
	return v.broken
}

// ConfirmRun checks a claim for a run of rows written together (an
// import's audit event names the first seq it wrote and the head it left):
// every row of the run must still be there, the first missing one is named,
// and the last must carry the hash the trail recorded.
func (v *Verifier) ConfirmRun(from, seq int, hashPrefix string) *Break {
	for s := from; s < seq && v.broken == nil; s++ {
		if _, ok := v.hashes[s]; !ok {
			v.broken = &Break{CandidateID: v.candidate, Seq: s, Why: "named in the audit trail but missing from the ledger"}
		}
	}
	return v.Confirm(seq, hashPrefix)
}

// AuditHash is the hash prefix written into the audit trail.
func AuditHash(h []byte) string { return hex.EncodeToString(h)[:16] }
