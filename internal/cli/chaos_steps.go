package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net"
	"time"

	"seedling/internal/ledger"
	"seedling/internal/ledger/sheet"
	"seedling/internal/seedling"
)

// chaosApplicant is a candidate a client created, and the submissions it
// saw acknowledged for them.
type chaosApplicant struct {
	id    int64
	name  string
	subs  []int64  // acknowledged submissions, oldest first
	state []string // the state last seen acknowledged for each: pending, approved, returned
}

func chaosDay(n int) string { return time.Now().AddDate(0, 0, -n).Format("2006-01-02") }

// chaosIDNumber is a valid identity number unique to client n's i-th
// applicant: the sequence digits hold the client, the birth date the count.
// The check character is the one the domain's parser accepts.
func chaosIDNumber(n, i int) string {
	s := fmt.Sprintf("410482%s%03d", time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format("20060102"), n%1000)
	for _, check := range "0123456789X" {
		if _, err := seedling.ParseIDNumber("id_number", s+string(check)); err == nil {
			return s + string(check)
		}
	}
	return s + "0"
}

// propose creates an applicant and proposes them as an activist: two
// writes, each retried until answered. A retried creation answers 409 (the
// identity number is taken) and a retried submission 409 (one is already
// waiting): the client then finds its own earlier write by state.
func (c *chaosClient) propose(ctx context.Context) error {
	c.attempted++
	c.made++
	name := fmt.Sprintf("chaos-%d-%d", c.n, c.made)
	body, _ := json.Marshal(map[string]any{"name": name, "org_id": c.branch, "applied_on": chaosDay(40),
		"id_number": chaosIDNumber(c.n, c.made)})
	var created struct {
		ID int64 `json:"id"`
	}
	before := c.retried
	code, err := c.call(ctx, "POST", "/api/v1/candidates", "application/json", body, "", &created)
	if err != nil {
		return err
	}
	if code == 409 && c.retried > before {
		created.ID, err = c.findCandidate(ctx, name)
		if err != nil {
			return err
		}
	} else if code != 201 {
		return fmt.Errorf("create candidate: %d", code)
	}
	a := chaosApplicant{id: created.ID, name: name}
	c.applicants = append(c.applicants, &a)
	return c.submit(ctx, &a)
}

func (c *chaosClient) findCandidate(ctx context.Context, name string) (int64, error) {
	var list struct {
		Candidates []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"candidates"`
	}
	if code, err := c.call(ctx, "GET", fmt.Sprintf("/api/v1/candidates?org_id=%d&stage=applicant", c.branch), "", nil, "", &list); err != nil || code != 200 {
		return 0, fmt.Errorf("candidates: %d %v", code, err)
	}
	for _, k := range list.Candidates {
		if k.Name == name {
			return k.ID, nil
		}
	}
	return 0, fmt.Errorf("candidate %s acknowledged by 409 but not found", name)
}

func (c *chaosClient) submit(ctx context.Context, a *chaosApplicant) error {
	c.attempted++
	body, _ := json.Marshal(map[string]any{"to_stage": "activist", "facts": map[string]any{"talked_on": chaosDay(15),
		"recommended_by": "mass_org", "decided_on": chaosDay(10), "contacts": []string{"王建国", "李红梅"}}})
	var sub struct {
		ID int64 `json:"id"`
	}
	before := c.retried
	code, err := c.call(ctx, "POST", fmt.Sprintf("/api/v1/candidates/%d/submissions", a.id), "application/json", body, "", &sub)
	if err != nil || code == 422 {
		// A rule refused the step (nothing is written): not a write to count.
		return err
	}
	if code == 409 && c.retried > before {
		subs, err := c.submissions(ctx, a.id)
		if err != nil {
			return err
		}
		for id, state := range subs {
			if state == "pending" {
				sub.ID = id
			}
		}
	} else if code != 201 {
		return fmt.Errorf("submit: %d", code)
	}
	if sub.ID == 0 {
		return fmt.Errorf("submission for %d acknowledged by 409 but none is pending", a.id)
	}
	a.subs = append(a.subs, sub.ID)
	a.state = append(a.state, "pending")
	return nil
}

// submissions maps the candidate's submissions to their states.
func (c *chaosClient) submissions(ctx context.Context, cand int64) (map[int64]string, error) {
	var list struct {
		Submissions []struct {
			ID    int64  `json:"id"`
			State string `json:"state"`
		} `json:"submissions"`
	}
	if code, err := c.callAs(ctx, c.committee, "GET", fmt.Sprintf("/api/v1/submissions?candidate_id=%d", cand), "", nil, "", &list); err != nil || code != 200 {
		return nil, fmt.Errorf("submissions: %d %v", code, err)
	}
	out := map[int64]string{}
	for _, s := range list.Submissions {
		out[s.ID] = s.State
	}
	return out, nil
}

// decide answers the oldest waiting submission as the committee: mostly
// approve, sometimes return (a returned applicant is proposed again, up to
// twice, below the three strikes). A second decision is 409: "409 and the
// state is the one I asked for" is this client's earlier decision, which
// committed before its answer was lost — nobody else decides these.
func (c *chaosClient) decide(ctx context.Context) error {
	var a *chaosApplicant
	for _, x := range c.applicants {
		if x.state[len(x.state)-1] == "pending" {
			a = x
			break
		}
	}
	if a == nil {
		return c.propose(ctx)
	}
	c.attempted++
	id := a.subs[len(a.subs)-1]
	decision, want := "approve", "approved"
	if len(a.subs) < 3 && c.rng.IntN(3) == 0 {
		decision, want = "return", "returned"
	}
	body, _ := json.Marshal(map[string]string{"decision": decision, "reasons": "chaos decision"})
	code, err := c.callAs(ctx, c.committee, "POST", fmt.Sprintf("/api/v1/submissions/%d/decision", id), "application/json", body, "", nil)
	if err != nil {
		return err
	}
	if code == 409 {
		subs, err := c.submissions(ctx, a.id)
		if err != nil {
			return err
		}
		if subs[id] != want {
			return fmt.Errorf("decision on %d: 409 and the state is %q", id, subs[id])
		}
	} else if code != 200 {
		return fmt.Errorf("decision: %d", code)
	}
	a.state[len(a.state)-1] = want
	if want == "returned" {
		return c.submit(ctx, a)
	}
	return nil
}

// importSheet books one quarter's points for a few of the client's
// candidates of one node from a CSV upload. The service keys every row by
// the file's hash, quarter and line, so the same file again books nothing
// new (200, all rows unchanged): that is the acknowledgement of a retry.
func (c *chaosClient) importSheet(ctx context.Context) error {
	c.attempted++
	c.made++
	body, ctype, keys := c.sheet(fmt.Sprintf("%d-%d", c.n, c.made))
	if body == nil {
		return c.entry(ctx)
	}
	code, err := c.sendImport(ctx, body, ctype)
	if err == nil && (code == 201 || code == 200) {
		c.imports = append(c.imports, keys...)
		c.importFiles++
	}
	return err
}

func (c *chaosClient) sendImport(ctx context.Context, body []byte, ctype string) (int, error) {
	var res struct {
		Written   int `json:"written"`
		Unchanged int `json:"unchanged"`
	}
	return c.call(ctx, "POST", fmt.Sprintf("/api/v1/orgs/%d/ledger/import", c.importOrg), ctype, body, "", &res)
}

// sheet builds a multipart import of one to three rows, all of the node
// c.importOrg, and the idempotency keys the service gives its rows.
func (c *chaosClient) sheet(tag string) ([]byte, string, []string) {
	var people []chaosPerson
	for _, p := range c.people {
		if p.org == c.importOrg {
			people = append(people, p)
		}
	}
	if len(people) == 0 {
		return nil, "", nil
	}
	var rows bytes.Buffer
	w := csv.NewWriter(&rows)
	w.Write(sheet.Header("zh-CN"))
	n := 1 + c.rng.IntN(3)
	for i := 0; i < n; i++ {
		p := people[c.rng.IntN(len(people))]
		w.Write([]string{fmt.Sprint(p.id), p.name, time.Now().Format("2006-01-02"), "study_attendance",
			fmt.Sprint(1 + c.rng.IntN(3)), fmt.Sprintf("chaos import %s row %d", tag, i)})
	}
	w.Flush()
	data := rows.Bytes()
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	period := ledger.PeriodOf(time.Now()).String()
	keys := make([]string, n)
	for i := range keys {
		// The header is line 1; see LedgerStore.Import.
		keys[i] = fmt.Sprintf("import:%s:%s:%d", hash[:32], period, i+2)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("period", period)
	fw, _ := mw.CreateFormFile("file", "chaos.csv")
	fw.Write(data)
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType(), keys
}

// chaosPerson is a candidate a client books points for.
type chaosPerson struct {
	id   int64
	org  int64
	name string
}

// halfSentImport sends the head and half the body of an import on a raw
// connection, kills the service while the rest is unsent, brings it back
// and sends the whole file again: nothing of the half must be booked, the
// whole exactly once.
func (h *chaosRun) halfSentImport(ctx context.Context, c *chaosClient) error {
	c.attempted++
	c.made++
	body, ctype, keys := c.sheet(fmt.Sprintf("half-%d", c.made))
	if body == nil {
		return h.killService(ctx)
	}
	conn, err := net.DialTimeout("tcp", h.addr, 5*time.Second)
	if err == nil {
		fmt.Fprintf(conn, "POST /api/v1/orgs/%d/ledger/import HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
			c.importOrg, h.addr, c.token, ctype, len(body))
		conn.Write(body[:len(body)/2])
		defer conn.Close()
	}
	if err := h.killService(ctx); err != nil {
		return err
	}
	code, err := c.sendImport(ctx, body, ctype)
	if err != nil {
		return err
	}
	if code != 201 {
		return fmt.Errorf("chaos: the half-sent import, sent again whole, answered %d (want 201: nothing of the half booked)", code)
	}
	c.imports = append(c.imports, keys...)
	c.importFiles++
	return nil
}
