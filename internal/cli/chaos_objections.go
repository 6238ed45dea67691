package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// chaosDisplay is the published display a client raises objections on.
type chaosDisplay struct {
	id   int64
	rows []int64
}

// chaosObjection is an objection a client saw acknowledged, with the state
// it saw last: open, or upheld or rejected once its resolution was.
type chaosObjection struct {
	id    int64
	text  string
	state string
}

// ensureDisplay creates and publishes the client's own display, of a node
// with candidates and a past quarter no other client uses. A retried
// creation answers 409 (one display per node and quarter) and a retried
// publication 409 (already published): the client then finds its own. A
// display created but not yet published is published on the next call.
func (c *chaosClient) ensureDisplay(ctx context.Context) error {
	if c.display != nil {
		return nil
	}
	period := fmt.Sprintf("%dQ%d", 2023-c.n/4, c.n%4+1)
	if c.draft == 0 {
		c.attempted++
		body, _ := json.Marshal(map[string]any{"org_id": c.importOrg, "period": period})
		var d struct {
			ID int64 `json:"id"`
		}
		code, err := c.call(ctx, "POST", "/api/v1/displays", "application/json", body, "", &d)
		if err != nil {
			return err
		}
		if code == 409 {
			// Nobody else takes this node's display of this quarter.
			if d.ID, err = c.findDraft(ctx, period); err != nil {
				return err
			}
		} else if code != 201 {
			return fmt.Errorf("create display: %d", code)
		}
		c.draft = d.ID
		c.displays++
	}
	c.attempted++
	code, err := c.call(ctx, "POST", fmt.Sprintf("/api/v1/displays/%d/publish", c.draft), "application/json", nil, "", nil)
	if err != nil {
		return err
	}
	got, err := c.getDisplay(ctx, c.draft)
	if err != nil {
		return err
	}
	// A 409 and the display published is this client's earlier publication.
	if code != 200 && !(code == 409 && got.State == "published") {
		return fmt.Errorf("publish display %d: %d (%s)", c.draft, code, got.State)
	}
	c.displays++
	c.display = &chaosDisplay{id: c.draft}
	for _, r := range got.Rows {
		c.display.rows = append(c.display.rows, r.CandidateID)
	}
	return nil
}

// findDraft finds the client's own first version of period, as a 409 of
// its creation names none.
func (c *chaosClient) findDraft(ctx context.Context, period string) (int64, error) {
	var list struct {
		Displays []struct {
			ID      int64 `json:"id"`
			Version int   `json:"version"`
		} `json:"displays"`
	}
	if code, err := c.call(ctx, "GET", fmt.Sprintf("/api/v1/displays?org_id=%d&period=%s", c.importOrg, period), "", nil, "", &list); err != nil || code != 200 {
		return 0, fmt.Errorf("displays: %d %v", code, err)
	}
	for _, x := range list.Displays {
		if x.Version == 1 {
			return x.ID, nil
		}
	}
	return 0, fmt.Errorf("display %s acknowledged by 409 but not found", period)
}

type chaosDisplayJSON struct {
	State string `json:"state"`
	Rows  []struct {
		CandidateID int64 `json:"candidate_id"`
	} `json:"rows"`
	Objections []struct {
		ID    int64  `json:"id"`
		State string `json:"state"`
	} `json:"objections"`
}

func (c *chaosClient) getDisplay(ctx context.Context, id int64) (chaosDisplayJSON, error) {
	var d chaosDisplayJSON
	if code, err := c.call(ctx, "GET", fmt.Sprintf("/api/v1/displays/%d", id), "", nil, "", &d); err != nil || code != 200 {
		return d, fmt.Errorf("display %d: %d %v", id, code, err)
	}
	return d, nil
}

// object records an objection received on paper about one row of the
// client's display. The same objection again while it is open answers the
// first one and writes nothing: a retry needs no key.
func (c *chaosClient) object(ctx context.Context) error {
	if err := c.ensureDisplay(ctx); err != nil {
		return err
	}
	if len(c.display.rows) == 0 {
		return c.entry(ctx)
	}
	c.attempted++
	c.made++
	text := fmt.Sprintf("chaos objection %d-%d", c.n, c.made)
	body, _ := json.Marshal(map[string]any{"candidate_id": c.display.rows[c.rng.IntN(len(c.display.rows))], "text": text,
		"channel": "paper", "from": "群众来信"})
	var o struct {
		ID int64 `json:"id"`
	}
	code, err := c.call(ctx, "POST", fmt.Sprintf("/api/v1/displays/%d/objections", c.display.id), "application/json", body, "", &o)
	if err == nil && code == 201 && o.ID > 0 {
		c.objections = append(c.objections, &chaosObjection{id: o.ID, text: text, state: "open"})
	}
	return err
}

// resolve answers the oldest open objection: mostly upheld with a
// correcting entry, sometimes rejected. A second answer is 409: "409 and
// the state is the one I asked for" is this client's earlier answer.
func (c *chaosClient) resolve(ctx context.Context) error {
	var o *chaosObjection
	for _, x := range c.objections {
		if x.state == "open" {
			o = x
			break
		}
	}
	if o == nil {
		return c.object(ctx)
	}
	c.attempted++
	req := map[string]any{"decision": "reject", "reason": "chaos: no ground"}
	want := "rejected"
	if c.rng.IntN(3) > 0 {
		want = "upheld"
		req = map[string]any{"decision": "uphold", "reason": "chaos: corrected", "correction": map[string]any{
			"category": "study_attendance", "points": 1, "occurred_on": time.Now().Format("2006-01-02"), "description": "chaos correction"}}
	}
	body, _ := json.Marshal(req)
	code, err := c.call(ctx, "POST", fmt.Sprintf("/api/v1/objections/%d/resolution", o.id), "application/json", body, "", nil)
	if err != nil {
		return err
	}
	if code == 409 {
		d, err := c.getDisplay(ctx, c.display.id)
		if err != nil {
			return err
		}
		for _, x := range d.Objections {
			if x.ID == o.id && x.State != want {
				return fmt.Errorf("resolution of %d: 409 and the state is %q", o.id, x.State)
			}
		}
	} else if code != 200 {
		return fmt.Errorf("resolution: %d", code)
	}
	o.state = want
	return nil
}
