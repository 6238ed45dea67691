package ledger

import (
	"errors"
	"testing"

	"seedling/internal/seedling"
)

// The reversal rules are the ledger's, not the store's: once, and never of a
// reversal, each refusal with its code.
func TestCanReverseOnceAndNeverAReversal(t *testing.T) {
	by := int64(9)
	cases := []struct {
		name string
		e    Entry
		code string
	}{
		{"entry", Entry{Kind: KindEntry}, ""},
		{"reversed already", Entry{Kind: KindEntry, ReversedBy: &by}, seedling.EConflict},
		{"a reversal", Entry{Kind: KindReversal}, seedling.ERule},
		{"evidence", Entry{Kind: KindEvidence}, seedling.ENotFound},
	}
	for _, c := range cases {
		err := CanReverse(c.e)
		if got := codeOf(err); got != c.code {
			t.Errorf("%s: %q, want %q", c.name, got, c.code)
		}
	}
	var ie *InputError
	if !errors.As(CanReverse(Entry{Kind: KindReversal}), &ie) || ie.Problems[0].Code != "reversal_of_reversal" {
		t.Error("the reversal refusal carries no coded problem")
	}
}

func codeOf(err error) string {
	if err == nil {
		return ""
	}
	return seedling.ErrorCode(err)
}
