// Package synth generates a synthetic province for load tests and the bench:
// an organisation tree (province → cities → counties → townships → branches
// → party groups), candidates at every stage with their review history,
// accounts, and points ledgers whose hash chains verify. The same seed gives
// the same province, row for row (only the salt of the one password hash
// differs). Rows are produced as the database takes them, through the
// storage package's one bulk loader, so a province of 30 million entries
// never sits in memory.
package synth

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"seedling/internal/demo"
	"seedling/internal/ledger"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

// Password is the password of every generated account.
const Password = "seedling-synthetic"

// Params say how large a province to make.
type Params struct {
	Candidates int       `json:"candidates"`
	Entries    int       `json:"entries"` // ledger rows (entries and reversals) over all candidates
	Seed       uint64    `json:"seed"`
	Today      time.Time `json:"today"` // the day the province is generated as of; part of what the seed reproduces
}

// Result says what a run wrote.
type Result struct {
	Rows     map[string]int64
	Accounts []Account // a few accounts per role, for people and the bench to log in with
}

// Account is one generated login.
type Account struct {
	Username string
	Role     seedling.Role
	OrgID    int64
}

// Generate writes a province into db. The caller has checked that db may
// receive it (see postgres.DB.SyntheticState).
func Generate(ctx context.Context, db *postgres.DB, p Params) (Result, error) {
	if p.Candidates < 1 || p.Entries < 0 {
		return Result{}, seedling.Errorf(seedling.EInvalid, "need at least one candidate and no negative number of entries")
	}
	if p.Today.IsZero() {
		p.Today = seedling.Today(time.Now())
	}
	rubrics, err := db.Rubric().Versions(ctx)
	if err != nil {
		return Result{}, err
	}
	words, err := demo.LedgerSeed()
	if err != nil {
		return Result{}, err
	}
	hash, err := seedling.HashPassword(Password)
	if err != nil {
		return Result{}, err
	}
	w := newWorld(p, rubrics, words.Descriptions, hash)
	if err := w.reserve(ctx, db); err != nil {
		return Result{}, err
	}
	rows, err := db.CopyHistory(ctx, &postgres.SyntheticRun{Seed: p.Seed, Params: p}, w.tables())
	if err != nil {
		return Result{}, err
	}
	return Result{Rows: rows, Accounts: w.sampleAccounts()}, nil
}

// world is the province in memory: everything but the ledger rows, which
// are made per candidate while they are written.
type world struct {
	p            Params
	rubrics      ledger.Rubrics
	descriptions map[string][]string
	passwordHash string

	orgs       []org
	people     []person
	users      []user
	steps      []step // review history, in candidate order
	firstEntry int64  // the first reserved ledger_entries id
	heads      []head // per person, filled while the ledger is written
}

type org struct {
	id, parent int64 // parent 0: the root
	kind       seedling.OrgKind
	name       string
	township   int // index of the township committee above (itself for one)
	branch     int // index of the branch (itself for a branch, its parent for a group)
	secretary  int // index into users of the branch secretary; committee account for a township
}

type person struct {
	id                int64
	org               int // index into orgs
	name, gender      string
	birth             time.Time
	occupation        string
	priority          string
	reserve, front    bool
	stage             seedling.Stage
	applied, talked   time.Time
	activist, target  *time.Time
	probation, full   *time.Time
	stageSince        time.Time
	entries           int // ledger rows to write
	ledgerFrom, until time.Time
}

type user struct {
	id        int64
	username  string
	display   string
	role      seedling.Role
	org       int64
	candidate int64 // 0 unless a candidate's own account
}

// step is one submission of the review history and what followed it.
type step struct {
	id               int64 // submission id; 0 for a change with no submission
	person           int
	from, to         seedling.Stage
	state            string // approved, returned; "" for a change with no submission
	on               time.Time
	reasons, comment string
}

type head struct {
	seq  int
	hash []byte
}

// rng gives every part of the province its own stream, derived from the seed
// and the part's name and number, so that one part can change size without
// reshuffling the rest.
func (w *world) rng(part uint64, n int) *rand.Rand {
	return rand.New(rand.NewPCG(w.p.Seed^part*0x9e3779b97f4a7c15, uint64(n)))
}

const (
	partTree uint64 = iota + 1
	partPeople
	partLedger
	partShares
	partSteps
)

func newWorld(p Params, rubrics ledger.Rubrics, descriptions map[string][]string, passwordHash string) *world {
	w := &world{p: p, rubrics: rubrics, descriptions: descriptions, passwordHash: passwordHash}
	w.buildTree()
	w.buildPeople()
	w.shareEntries()
	return w
}

// buildTree sizes the tree from the number of candidates: about 30 people a
// branch, 8–16 branches a township, 5–12 townships a county, 3–8 counties
// a city. Ids are positions for now; reserve turns them into real ids.
func (w *world) buildTree() {
	r := w.rng(partTree, 0)
	branches := max(1, (w.p.Candidates+29)/30)
	townships := chunks(r, branches, 8, 16)
	counties := chunks(r, len(townships), 5, 12)
	cities := chunks(r, len(counties), 3, 8)
	w.add(org{kind: seedling.KindCity, name: "示范省委组织部"}, -1)
	c, t := 0, 0
	for _, nCounties := range cities {
		city := w.add(org{kind: seedling.KindCommittee, name: place(r) + "市委"}, 0)
		for ; nCounties > 0; nCounties-- {
			county := w.add(org{kind: seedling.KindCommittee, name: place(r) + "县委"}, city)
			for nTowns := counties[c]; nTowns > 0; nTowns-- {
				town := w.add(org{kind: seedling.KindCommittee, name: place(r) + "镇党委"}, county)
				w.orgs[town].township = town
				for nBranches := townships[t]; nBranches > 0; nBranches-- {
					br := w.add(org{kind: seedling.KindBranch, name: place(r) + branchKinds[r.IntN(len(branchKinds))], township: town}, town)
					w.orgs[br].branch = br
					for g := 0; g < 1+r.IntN(3); g++ {
						w.add(org{kind: seedling.KindGroup, name: "第" + numerals[g] + "党小组", township: town, branch: br}, br)
					}
				}
				t++
			}
			c++
		}
	}
}

// chunks splits n things into groups of lo..hi (the last may be smaller).
func chunks(r *rand.Rand, n, lo, hi int) []int {
	var out []int
	for n > 0 {
		k := min(n, lo+r.IntN(hi-lo+1))
		out = append(out, k)
		n -= k
	}
	return out
}

func (w *world) add(o org, parent int) int {
	o.id = int64(len(w.orgs))
	if parent >= 0 {
		o.parent = int64(parent)
	}
	w.orgs = append(w.orgs, o)
	return len(w.orgs) - 1
}

// Stages of the people, in shares that a county's books typically show.
var stageShares = []struct {
	stage seedling.Stage
	per   int // per thousand
}{
	{seedling.StageApplicant, 150}, {seedling.StageActivist, 400}, {seedling.StageTarget, 140},
	{seedling.StageProbationary, 150}, {seedling.StageFull, 100}, {seedling.StageDisqualified, 30}, {seedling.StageWithdrawn, 30},
}

func (w *world) buildPeople() {
	var units []int // branches and groups: where people sit
	branchesOf := map[int][]int{}
	for i, o := range w.orgs {
		if o.kind == seedling.KindBranch || o.kind == seedling.KindGroup {
			branchesOf[o.branch] = append(branchesOf[o.branch], i)
		}
	}
	for i, o := range w.orgs {
		if o.kind == seedling.KindBranch {
			units = append(units, i)
		}
	}
	// Branches differ in size (the bench reads a roster of about 50): draw
	// each branch's share, then hand out the people in proportion.
	r := w.rng(partPeople, -1)
	shares, total := make([]int, len(units)), 0
	for i := range shares {
		shares[i] = 10 + r.IntN(61)
		total += shares[i]
	}
	slots := make([]int, 0, w.p.Candidates)
	for i, share := range shares {
		for range share * w.p.Candidates / total {
			slots = append(slots, units[i])
		}
	}
	for len(slots) < w.p.Candidates {
		slots = append(slots, units[len(slots)%len(units)])
	}
	w.people = make([]person, w.p.Candidates)
	for i := range w.people {
		r := w.rng(partPeople, i)
		// Within a branch, half the people sit in a party group.
		br := slots[i]
		places := branchesOf[br]
		at := br
		if r.IntN(2) == 0 {
			at = places[r.IntN(len(places))]
		}
		w.people[i] = w.person(r, at)
	}
}

func (w *world) person(r *rand.Rand, at int) person {
	today := w.p.Today
	ago := func(lo, hi int) time.Time { return today.AddDate(0, 0, -(lo + r.IntN(hi-lo+1))) }
	before := func(t time.Time, lo, hi int) time.Time { return t.AddDate(0, 0, -(lo + r.IntN(hi-lo+1))) }
	p := person{org: at, name: personName(r), gender: []string{"male", "female"}[r.IntN(2)],
		occupation: occupations[r.IntN(len(occupations))], reserve: r.IntN(4) == 0, front: r.IntN(6) == 0}
	if r.IntN(5) > 0 {
		p.priority = priorityGroups[r.IntN(len(priorityGroups))]
	}
	roll, acc := r.IntN(1000), 0
	for _, s := range stageShares {
		if acc += s.per; roll < acc {
			p.stage = s.stage
			break
		}
	}
	set := func(t time.Time) *time.Time { return &t }
	switch p.stage {
	case seedling.StageApplicant:
		p.applied = ago(5, 400)
		p.stageSince = p.applied
	case seedling.StageActivist, seedling.StageDisqualified, seedling.StageWithdrawn:
		p.activist = set(ago(30, 1000))
		p.stageSince = *p.activist
		if p.stage != seedling.StageActivist {
			p.stageSince = p.activist.AddDate(0, 0, 15+r.IntN(max(1, int(today.Sub(*p.activist).Hours()/24)-15)))
		}
	case seedling.StageTarget:
		p.target = set(ago(10, 300))
		p.activist = set(before(*p.target, 366, 700))
		p.stageSince = *p.target
	case seedling.StageProbationary:
		p.probation = set(ago(10, 360))
		p.target = set(before(*p.probation, 90, 240))
		p.activist = set(before(*p.target, 366, 700))
		p.stageSince = *p.probation
	case seedling.StageFull:
		p.full = set(ago(10, 1200))
		p.probation = set(p.full.AddDate(-1, 0, 0))
		p.target = set(before(*p.probation, 90, 240))
		p.activist = set(before(*p.target, 366, 700))
		p.stageSince = *p.full
	}
	if p.activist != nil {
		p.applied = before(*p.activist, 30, 200)
		p.ledgerFrom, p.until = *p.activist, today.AddDate(0, 0, -1)
		if p.stage != seedling.StageActivist && p.stage != seedling.StageTarget && p.stage != seedling.StageProbationary {
			p.until = p.stageSince
		}
	}
	p.talked = p.applied.AddDate(0, 0, 3+r.IntN(25))
	if p.talked.After(today) {
		p.talked = today
	}
	p.birth = p.applied.AddDate(-(19 + r.IntN(22)), -r.IntN(12), -r.IntN(28))
	return p
}

// shareEntries spreads the ledger rows over the people who keep a ledger,
// in proportion to how long they have kept it, each share drawn between a
// third and twice the average so that some ledgers are long (the bench reads
// one of about 200 rows).
func (w *world) shareEntries() {
	r := w.rng(partShares, 0)
	weights := make([]float64, len(w.people))
	total := 0.0
	for i, p := range w.people {
		if p.activist == nil || !p.until.After(p.ledgerFrom) {
			continue
		}
		days := p.until.Sub(p.ledgerFrom).Hours() / 24
		weights[i] = days * (0.33 + 1.67*r.Float64())
		total += weights[i]
	}
	if total == 0 {
		return
	}
	given := 0
	for i := range w.people {
		n := int(float64(w.p.Entries) * weights[i] / total)
		w.people[i].entries = n
		given += n
	}
	// The rounding remainder goes to the first ledgers, one row each.
	for i := 0; given < w.p.Entries; i = (i + 1) % len(w.people) {
		if weights[i] > 0 {
			w.people[i].entries++
			given++
		}
	}
}

// reserve takes real ids for everything the rows refer to by id, so that a
// province can be added next to existing rows (with --force) without a
// clash, and turns the positions used so far into those ids.
func (w *world) reserve(ctx context.Context, db *postgres.DB) error {
	w.buildAccounts()
	w.buildSteps()
	type res struct {
		table string
		n     int
		set   func(first int64)
	}
	for _, x := range []res{
		{"orgs", len(w.orgs), func(first int64) {
			for i := range w.orgs {
				w.orgs[i].id += first
				if i > 0 {
					w.orgs[i].parent += first
				}
			}
		}},
		{"candidates", len(w.people), func(first int64) {
			for i := range w.people {
				w.people[i].id = first + int64(i)
			}
		}},
		{"users", len(w.users), func(first int64) {
			for i := range w.users {
				w.users[i].id = first + int64(i)
			}
		}},
		{"submissions", len(w.steps), func(first int64) {
			for i := range w.steps {
				if w.steps[i].state != "" {
					w.steps[i].id = first + int64(i)
				}
			}
		}},
		{"ledger_entries", w.p.Entries, func(first int64) { w.firstEntry = first }},
	} {
		if x.n == 0 {
			continue
		}
		first, err := db.ReserveIDs(ctx, x.table, int64(x.n))
		if err != nil {
			return err
		}
		x.set(first)
	}
	// Accounts name their node and candidate by id, and are named after
	// them, so a second province beside the first has its own usernames.
	for i := range w.users {
		u := &w.users[i]
		u.org = w.orgs[u.org].id
		u.username = fmt.Sprintf("gen-%s%d", rolePrefix[u.role], u.org)
		if u.candidate > 0 {
			u.candidate = w.people[u.candidate-1].id
			u.username = fmt.Sprintf("gen-p%d", u.candidate)
		}
	}
	return nil
}

// buildAccounts makes the organisation department's account at the root, a
// committee account per township, a secretary per branch (who keeps its
// ledger and records its entries) and, per branch, the account of its first
// candidate. Until reserve runs, org holds an index and candidate an index+1.
func (w *world) buildAccounts() {
	w.users = append(w.users, user{display: "组织部 管理员", role: seedling.RoleOrgAdmin, org: 0})
	for i, o := range w.orgs {
		switch {
		case o.kind == seedling.KindCommittee && o.township == i && i > 0:
			w.orgs[i].secretary = len(w.users)
			w.users = append(w.users, user{display: o.name + " 委员", role: seedling.RoleCommittee, org: int64(i)})
		case o.kind == seedling.KindBranch:
			w.orgs[i].secretary = len(w.users)
			w.users = append(w.users, user{display: o.name + " 书记", role: seedling.RoleSecretary, org: int64(i)})
		}
	}
	seen := map[int]bool{}
	for i, p := range w.people {
		br := w.orgs[p.org].branch
		if !seen[br] && p.activist != nil {
			seen[br] = true
			w.users = append(w.users, user{display: p.name, role: seedling.RoleCandidate, org: int64(br), candidate: int64(i + 1)})
		}
	}
}

// buildSteps writes each person's path so far as the committee approved
// it: the approved steps their dates imply, a returned proposal now and then,
// three returns before a disqualification (the three-strike rule).
func (w *world) buildSteps() {
	for i, p := range w.people {
		r := w.rng(partSteps, i)
		add := func(from, to seedling.Stage, state string, on time.Time, reasons string) {
			w.steps = append(w.steps, step{person: i, from: from, to: to, state: state, on: on, reasons: reasons})
		}
		if p.activist == nil {
			continue
		}
		add(seedling.StageApplicant, seedling.StageActivist, "approved", *p.activist, "")
		switch p.stage {
		case seedling.StageDisqualified:
			for k := 0; k < 3; k++ {
				on := p.activist.Add(time.Duration(k+1) * p.stageSince.Sub(*p.activist) / 4)
				add(seedling.StageActivist, seedling.StageTarget, "returned", on, returnReasons[r.IntN(len(returnReasons))])
			}
			w.steps = append(w.steps, step{person: i, from: seedling.StageActivist, to: seedling.StageDisqualified, on: p.stageSince, comment: "审核未通过 3 次，取消入党资格"})
			continue
		case seedling.StageWithdrawn:
			w.steps = append(w.steps, step{person: i, from: seedling.StageActivist, to: seedling.StageWithdrawn, on: p.stageSince, comment: "本人申请撤回"})
			continue
		}
		if p.target == nil {
			continue
		}
		if r.IntN(6) == 0 {
			add(seedling.StageActivist, seedling.StageTarget, "returned", p.target.AddDate(0, 0, -30), returnReasons[r.IntN(len(returnReasons))])
		}
		add(seedling.StageActivist, seedling.StageTarget, "approved", *p.target, "")
		if p.probation != nil {
			add(seedling.StageTarget, seedling.StageProbationary, "approved", *p.probation, "")
		}
		if p.full != nil {
			add(seedling.StageProbationary, seedling.StageFull, "approved", *p.full, "")
		}
	}
}

// rolePrefix starts the generated usernames: gen-s<branch id> is the
// secretary of that branch, gen-c<township id> its committee, gen-a<root id>
// the organisation department, gen-p<candidate id> a candidate.
var rolePrefix = map[seedling.Role]string{seedling.RoleOrgAdmin: "a", seedling.RoleCommittee: "c", seedling.RoleSecretary: "s"}

// sampleAccounts names the first accounts of each role.
func (w *world) sampleAccounts() []Account {
	var out []Account
	count := map[seedling.Role]int{}
	for _, u := range w.users {
		if count[u.role] < 3 {
			count[u.role]++
			out = append(out, Account{Username: u.username, Role: u.role, OrgID: u.org})
		}
	}
	return out
}
