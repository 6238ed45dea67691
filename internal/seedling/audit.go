package seedling

import "time"

// Actor is who performs a change and on what authority: the user, the role
// and node of the grant that allowed it, and where the request came from.
// Every write takes one so that its audit row is complete.
type Actor struct {
	UserID    *int64
	Username  string
	Role      Role
	OrgID     *int64
	RequestID string
	IP        string
}

// Event is one row of the audit trail.
type Event struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	Actor     string    `json:"actor"`
	Role      string    `json:"role"`
	OrgID     *int64    `json:"org_id"`
	Action    string    `json:"action"`
	Target    string    `json:"target"`
	RequestID string    `json:"request_id"`
	IP        string    `json:"ip"`
	Summary   string    `json:"summary"`
}
