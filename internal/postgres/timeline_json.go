package postgres

import (
	"encoding/json"

	"seedling/internal/seedling"
)

// MarshalJSON writes on, the civil date an event concerns, as "YYYY-MM-DD",
// as api.md wants every date; at stays an RFC 3339 time.
func (e TimelineEvent) MarshalJSON() ([]byte, error) {
	type plain TimelineEvent
	return json.Marshal(struct {
		plain
		On string `json:"on"`
	}{plain: plain(e), On: e.On.Format(seedling.DateLayout)})
}
