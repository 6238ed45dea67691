package pipeline

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestRankBreaksTiesByTrainingThenApplicationThenID(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse("2006-01-02", s); return v }
	list := []Ranked{
		{ID: 5, Score: 85, ActivistSince: d("2024-03-01"), AppliedOn: d("2023-09-01")},
		{ID: 4, Score: 92, ActivistSince: d("2025-01-01"), AppliedOn: d("2024-06-01")},
		{ID: 3, Score: 85, ActivistSince: d("2023-11-01"), AppliedOn: d("2023-05-01")},
		{ID: 2, Score: 85, ActivistSince: d("2024-03-01"), AppliedOn: d("2023-08-01")},
		{ID: 1, Score: 85, ActivistSince: d("2024-03-01"), AppliedOn: d("2023-08-01")},
	}
	var ids []int64
	for _, r := range Rank(list) {
		ids = append(ids, r.ID)
	}
	if got := fmt.Sprint(ids); got != "[4 3 1 2 5]" {
		t.Fatalf("ranking %s, want [4 3 1 2 5]", got)
	}
}

func TestDisplayDueAtTheEndOfEachQuarter(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse("2006-01-02", s); return v }
	rs := Rules2014
	if _, ok := rs.DisplayDue(d("2026-11-26")); ok {
		t.Fatal("a display 35 days away is not due yet")
	}
	it, ok := rs.DisplayDue(d("2026-12-20"))
	if !ok || it.Status != StatusSoon || it.DueOn != d("2026-12-31") || !strings.Contains(it.Message, "2026H2") {
		t.Fatalf("December: %+v", it)
	}
	it, ok = rs.DisplayDue(d("2026-09-30"))
	if !ok || it.Status != StatusToday || strings.Contains(it.Message, "H") {
		t.Fatalf("end of September: %+v", it)
	}
}
