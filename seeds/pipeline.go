package seeds

import (
	"encoding/json"
	"fmt"

	"seedling/internal/seedling"
)

// Pipeline is the demo history of the review pipeline beyond the approved
// steps, which the loader derives from each candidate's stage and dates.
type Pipeline struct {
	Returns          []Return          `json:"returns"`
	PoliticalReviews []PoliticalReview `json:"political_reviews"`
	Pending          []Pending         `json:"pending"`
	Cancellations    []Cancellation    `json:"cancellations"`
	Quotas           []Quota           `json:"quotas"`
}

// Return is a submission the committee sent back: a failed review.
type Return struct {
	Candidate string `json:"candidate"`
	From      string `json:"from"`
	To        string `json:"to"`
	On        string `json:"on"`
	Reasons   string `json:"reasons"`
}

// PoliticalReview is a recorded political review.
type PoliticalReview struct {
	Candidate  string `json:"candidate"`
	Passed     bool   `json:"passed"`
	On         string `json:"on"`
	Conclusion string `json:"conclusion"`
}

// Pending is a submission still waiting for the committee.
type Pending struct {
	Candidate   string         `json:"candidate"`
	To          string         `json:"to"`
	SubmittedOn string         `json:"submitted_on"`
	Facts       map[string]any `json:"facts"`
}

// Cancellation is a probationary membership cancelled by the reviewed step
// (取消预备党员资格): admitted on AdmittedOn, proposed by the branch on
// SubmittedOn after the general meeting of Facts (meeting_on, the votes and
// the reason), approved by the committee on DecidedOn. The candidate's stage
// in demo.json is disqualified, since the meeting.
type Cancellation struct {
	Candidate   string         `json:"candidate"`
	AdmittedOn  string         `json:"admitted_on"`
	SubmittedOn string         `json:"submitted_on"`
	DecidedOn   string         `json:"decided_on"`
	Facts       map[string]any `json:"facts"`
}

// Quota is a yearly development quota at a node.
type Quota struct {
	Year   int    `json:"year"`
	Org    string `json:"org"`
	Amount int    `json:"amount"`
}

// DemoPipeline returns the embedded pipeline history.
func DemoPipeline() (*Pipeline, error) {
	b, err := FS.ReadFile("pipeline.json")
	if err != nil {
		return nil, err
	}
	var p Pipeline
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("seeds/pipeline.json: %w", err)
	}
	var dates []string
	for _, r := range p.Returns {
		dates = append(dates, r.On)
	}
	for _, r := range p.PoliticalReviews {
		dates = append(dates, r.On)
	}
	for _, s := range p.Pending {
		dates = append(dates, s.SubmittedOn)
	}
	for _, c := range p.Cancellations {
		meeting, _ := c.Facts["meeting_on"].(string)
		dates = append(dates, c.AdmittedOn, c.SubmittedOn, c.DecidedOn, meeting)
	}
	for _, d := range dates {
		if _, err := seedling.ParseDate(d); err != nil {
			return nil, fmt.Errorf("seeds/pipeline.json: bad date %q", d)
		}
	}
	return &p, nil
}
