package web

import (
	"time"

	"seedling/internal/seedling"
)

// formatDate renders a civil date, or nothing when there is none.
func formatDate(v any) string {
	switch d := v.(type) {
	case time.Time:
		if d.IsZero() {
			return ""
		}
		return d.Format(seedling.DateLayout)
	case *time.Time:
		if d == nil || d.IsZero() {
			return ""
		}
		return d.Format(seedling.DateLayout)
	}
	return ""
}

// formatClock renders an instant in China time, the way a person there reads
// a clock: no zone letter, minutes or seconds as the layout asks. The API keeps
// RFC 3339; only pages and sheets use this.
func formatClock(t time.Time, layout string) string {
	if t.IsZero() {
		return ""
	}
	return seedling.InChina(t).Format(layout)
}
