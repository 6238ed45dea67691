package web

import (
	"fmt"
	"strings"
	"testing"
)

// Issue 10.11: the identity number is checked (GB 11643), unique among the
// city's candidates who have not withdrawn, refused for a disqualified
// person (409 naming the earlier record), shown whole only to the
// organisation department, and an applicant under 18 is refused.
func TestCandidateIdentityNumber(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	admin, sec, sec2, com := app.login("admin"), app.login("secretary"), app.login("secretary2"), app.login("committee")
	create := func(tok string, org int64, extra string) response {
		return app.call("POST", "/api/v1/candidates", tok, fmt.Sprintf(`{"name":"赵身份","org_id":%d,"applied_on":"2026-01-05"%s}`, org, extra))
	}
	const number, masked = "410482199001010029", "4104**********0029"

	r := create(sec, f.orgA, `,"id_number":"`+number+`"`)
	expectStatus(t, r, 201)
	id := idOf(t, r)
	if got := r.JSON(t)["id_number"]; got != masked {
		t.Fatalf("the secretary's answer shows %v", got)
	}
	if got := r.JSON(t)["birth_date"]; got != "1990-01-01" {
		t.Fatalf("birth date not taken from the number: %v", got)
	}
	path := fmt.Sprintf("/api/v1/candidates/%d", id)
	for tok, want := range map[string]string{admin: number, sec: masked, com: masked} {
		if got := app.call("GET", path, tok, nil).JSON(t)["id_number"]; got != want {
			t.Errorf("GET shows %v, want %s", got, want)
		}
	}
	if page := app.page(fmt.Sprintf("/candidates/%d", id), sec); !strings.Contains(string(page.Body), masked) || strings.Contains(string(page.Body), number) {
		t.Errorf("the secretary's page does not show the masked number")
	}
	if page := app.page(fmt.Sprintf("/candidates/%d", id), admin); !strings.Contains(string(page.Body), number) {
		t.Errorf("the organisation department's page lacks the number")
	}

	// The same person again, in another branch of the city: 409 naming the
	// earlier record.
	r = create(sec2, f.orgB, `,"id_number":"`+strings.ToLower(number)+`"`)
	expectStatus(t, r, 409)
	if !strings.Contains(string(r.Body), fmt.Sprint(id)) || fieldErrors(t, r)["id_number"] == "" {
		t.Fatalf("conflict does not name record %d: %s", id, r.Body)
	}

	// Disqualified: still not again, and the answer says why.
	if _, err := app.db.Exec(`UPDATE candidates SET stage = 'disqualified' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	r = create(sec, f.orgA, `,"id_number":"`+number+`"`)
	expectStatus(t, r, 409)
	if !strings.Contains(string(r.Body), "disqualified") || !strings.Contains(string(r.Body), fmt.Sprint(id)) {
		t.Fatalf("disqualified person entered again: %s", r.Body)
	}

	// Withdrawn: the person may apply again.
	if _, err := app.db.Exec(`UPDATE candidates SET stage = 'withdrawn' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	expectStatus(t, create(sec, f.orgA, `,"id_number":"`+number+`"`), 201)

	// The database holds the line too, whoever writes.
	_, err := app.db.Exec(`INSERT INTO candidates (org_id, name, stage, applied_on, stage_since, id_number)
		VALUES ($1, 'x', 'applicant', '2026-01-05', '2026-01-05', $2)`, f.orgA, number)
	if err == nil || !strings.Contains(err.Error(), "candidates_id_number_live") {
		t.Fatalf("a second live record with the number: %v", err)
	}

	for _, tc := range []struct {
		name, extra string
		status      int
		field       string
	}{
		{"wrong check digit", `,"id_number":"410482199001010028"`, 400, "id_number"},
		{"17 characters", `,"id_number":"41048219900101002"`, 400, "id_number"},
		{"impossible birth date", `,"id_number":"410482199002300021"`, 400, "id_number"},
		{"birth date disagrees", `,"id_number":"410404198808080024","birth_date":"1988-08-09"`, 400, "birth_date"},
		{"under 18 by the number", `,"id_number":"410482200803010026","applied_on":"2026-02-28"`, 422, "id_number"},
		{"under 18 by the birth date", `,"birth_date":"2008-03-01","applied_on":"2026-02-28"`, 422, "birth_date"},
	} {
		r := create(sec, f.orgA, tc.extra)
		if r.Status != tc.status || fieldErrors(t, r)[tc.field] == "" {
			t.Errorf("%s: %d %s", tc.name, r.Status, r.Body)
		}
	}
	// Eighteen on the day of application is old enough.
	expectStatus(t, create(sec, f.orgA, `,"id_number":"410482200803010026","applied_on":"2026-03-01"`), 201)
}
