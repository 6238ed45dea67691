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
