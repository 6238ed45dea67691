package seedling

import (
	"strings"
	"testing"
)

func TestValidateUsername(t *testing.T) {
	for name, ok := range map[string]bool{
		"secretary": true, "wang.li-2": true, "a_b": true,
		"": false, strings.Repeat("u", 65): false, "a,b": false, "王主任": false, "a b": false, `x"y`: false, "*": false,
	} {
		if err := ValidateUsername(name); (err == nil) != ok {
			t.Errorf("%q: %v", name, err)
		}
	}
}

func TestValidatePassword(t *testing.T) {
	long := strings.Repeat("长", 300) // multi-byte, well past any truncation point
	for pw, ok := range map[string]bool{
		"correct horse": true, long: true, "1234567890": false, "short": false, "Password123": false,
	} {
		if err := ValidatePassword(pw); (err == nil) != ok {
			t.Errorf("%q: %v", pw, err)
		}
	}
	// No truncation: two passwords that differ only after byte 72 (where
	// bcrypt would stop) must not both match one hash.
	a, b := strings.Repeat("x", 80)+"a", strings.Repeat("x", 80)+"b"
	h, err := HashPassword(a)
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(a, h) || CheckPassword(b, h) {
		t.Fatal("the password is truncated")
	}
}

func TestOrgKindsAndPaths(t *testing.T) {
	if !KindCity.MayContain(KindCommittee) || KindCity.MayContain(KindBranch) || !KindBranch.MayContain(KindGroup) || KindGroup.MayContain(KindGroup) {
		t.Fatal("kind nesting rules")
	}
	if !PathContains("/1/12/", "/1/12/123/") || PathContains("/1/12/", "/1/123/") || PathContains("", "/1/") {
		t.Fatal("path containment must respect the trailing slash")
	}
	for name, ok := range map[string]bool{"煤山街道党工委": true, "": false, "a,b": false, "x\ny": false, strings.Repeat("名", 101): false} {
		if err := ValidateOrg(KindBranch, name); (err == nil) != ok {
			t.Errorf("%q: %v", name, err)
		}
	}
}

func TestProblemsReportsEveryField(t *testing.T) {
	p := NewProblems(ERule)
	p.Add("quorum", "到会人数不足")
	p.Add("majority", "赞成票不足")
	p.Add("quorum", "ignored: the first reason for a field wins")
	err := p.Err()
	if ErrorCode(err) != ERule || len(err.(*Error).Fields) != 2 {
		t.Fatalf("%v", err)
	}
	if NewProblems(EInvalid).Err() != nil {
		t.Fatal("no problems must be no error")
	}
}
