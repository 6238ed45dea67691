package display

import (
	"strings"
	"time"
	"unicode/utf8"

	"seedling/internal/calendar"
	"seedling/internal/seedling"
)

// States of a display.
const (
	StateDraft     = "draft"     // taken, previewable, may be discarded
	StatePublished = "published" // fixed: nothing in it changes any more
	StateDiscarded = "discarded" // a draft thrown away; kept for the record
)

// Defaults where a committee has set nothing (the brief: five working days).
const (
	DefaultWindowDays    = 5
	DefaultObjectionDays = 5
	MaxSettingDays       = 30
)

// Settings are what a committee (for its subtree) or the organisation
// department sets: the window, the time to answer an objection, and whether
// names on the printable notice are masked for readers outside the branch.
type Settings struct {
	WindowDays    int
	ObjectionDays int
	MaskNames     bool
}

// Defaults are the settings where nobody set any.
func Defaults() Settings {
	return Settings{WindowDays: DefaultWindowDays, ObjectionDays: DefaultObjectionDays}
}

// Check validates settings as typed.
func (s Settings) Check() error {
	p := seedling.NewProblems(seedling.EInvalid)
	if s.WindowDays < 1 || s.WindowDays > MaxSettingDays {
		p.Add("window_days", "window_days must be between 1 and 30 working days")
	}
	if s.ObjectionDays < 1 || s.ObjectionDays > MaxSettingDays {
		p.Add("objection_days", "objection_days must be between 1 and 30 working days")
	}
	return p.Err()
}

// Display is one version of a node's display for a period.
type Display struct {
	ID         int64
	OrgID      int64
	OrgName    string
	OrgPath    string
	Period     string
	State      string
	Version    int
	PreviousID *int64
	ReissuedBy *int64 // the version that replaced this one, if any
	Rows       []Row
	Hash       []byte
	Window     *calendar.Window // set once published
	CreatedBy  string
	CreatedAt  time.Time
}

// Code is the display's verification code.
func (d Display) Code() string { return VerificationCode(d.Hash) }

// Row finds the row of a candidate.
func (d Display) Row(candidateID int64) (Row, bool) {
	for _, r := range d.Rows {
		if r.CandidateID == candidateID {
			return r, true
		}
	}
	return Row{}, false
}

// CheckDraft refuses to publish or discard anything but a draft.
func (d Display) CheckDraft() error {
	if d.State != StateDraft {
		return seedling.Errorf(seedling.EConflict, "this display is %s and can no longer change", d.State).Keyed("problem.display_not_draft")
	}
	return nil
}

// Open reports whether objections may be raised on today.
func (d Display) Open(today time.Time) bool {
	return d.State == StatePublished && d.Window != nil && d.Window.Contains(today)
}

// CheckReissue allows a new version of a published display that has upheld
// objections and has not been reissued yet.
func (d Display) CheckReissue(upheld int) error {
	switch {
	case d.State != StatePublished:
		return seedling.Errorf(seedling.EConflict, "only a published display can be reissued").Keyed("problem.display_reissue_unpublished")
	case d.ReissuedBy != nil:
		return seedling.Errorf(seedling.EConflict, "this display has already been reissued").Keyed("problem.display_reissued")
	case upheld == 0:
		return seedling.Errorf(seedling.ERule, "a display is reissued only after an upheld objection").Keyed("problem.display_reissue_no_objection")
	}
	return nil
}

// Objection states.
const (
	ObjectionOpen     = "open"
	ObjectionUpheld   = "upheld"
	ObjectionRejected = "rejected"
)

// Channels an objection arrives by: raised in the system by the objector,
// or received on paper or by phone and recorded by the branch.
const (
	ChannelOnline = "online"
	ChannelPaper  = "paper"
	ChannelPhone  = "phone"
)

// MaxText bounds the text of an objection and of a reason.
const MaxText = 2000

// Objection is one objection (异议) about one row of a display.
type Objection struct {
	ID           int64
	DisplayID    int64 // 0 for an objection to a notice
	NoticeID     int64 // 0 for an objection to a display row
	CandidateID  int64
	Text         string
	Channel      string
	From         string // who raised it, as recorded for paper or phone
	RaisedBy     *int64
	RaisedByName string
	RaisedOn     time.Time
	DueOn        time.Time
	HasEvidence  bool
	State        string
	Reason       string
	ResolvedBy   string
	ResolvedOn   *time.Time
	ResolvedAt   *time.Time
	EntryIDs     []int64 // the correcting entries of an upheld objection
}

// Overdue reports whether an open objection has passed its deadline.
func (o Objection) Overdue(today time.Time) bool {
	return o.State == ObjectionOpen && today.After(o.DueOn)
}

// Raise is an objection as submitted.
type Raise struct {
	CandidateID int64
	Text        string
	Channel     string // "" means online
	From        string
}

// CheckRaise validates an objection against any notice window — a display's
// today, a person's pre-admission notice later — and returns it cleaned and
// with its deadline. published says whether the notice is out; recorder
// says whether the caller may record objections received on paper or by
// phone on someone's behalf.
func CheckRaise(r Raise, published bool, w *calendar.Window, today time.Time, recorder bool, cal *calendar.Calendar, days int) (Raise, time.Time, error) {
	r.Text, r.From = strings.TrimSpace(r.Text), strings.TrimSpace(r.From)
	p := seedling.NewProblems(seedling.EInvalid)
	if r.Text == "" {
		p.Add("text", "text is required: say what is wrong with the row")
	} else if utf8.RuneCountInString(r.Text) > MaxText {
		p.Add("text", "text must be at most 2000 characters")
	}
	switch r.Channel {
	case "", ChannelOnline:
		r.Channel, r.From = ChannelOnline, ""
	case ChannelPaper, ChannelPhone:
		if !recorder {
			p.Add("channel", "only the branch records objections received on paper or by phone")
		} else if r.From == "" || utf8.RuneCountInString(r.From) > 100 {
			p.Add("from", "say from whom the objection was received (at most 100 characters)")
		}
	default:
		p.Add("channel", "channel must be online, paper or phone")
	}
	if err := p.Err(); err != nil {
		return Raise{}, time.Time{}, err
	}
	if !published || w == nil || !w.Contains(today) {
		return Raise{}, time.Time{}, seedling.Errorf(seedling.ERule, "objections are taken only while the notice window is open").Keyed("problem.objection_window_closed")
	}
	dl, err := cal.WindowFrom(today, days)
	if err != nil {
		return Raise{}, time.Time{}, err
	}
	return r, dl.Closes, nil
}

// CheckRaiseOn adds the display's own rule: the row must be in it.
func (d Display) CheckRaiseOn(r Raise, today time.Time, recorder bool, cal *calendar.Calendar, days int) (Raise, time.Time, error) {
	if _, ok := d.Row(r.CandidateID); !ok {
		return Raise{}, time.Time{}, seedling.FieldProblem(seedling.EInvalid, "candidate_id", "problem.display_no_row", "the display has no row for this candidate")
	}
	return CheckRaise(r, d.State == StatePublished, d.Window, today, recorder, cal, days)
}

// Decisions on an objection.
const (
	Uphold = "uphold"
	Reject = "reject"
)

// Resolution is the branch's answer as submitted. An upheld objection is
// corrected by a new entry, a reversal, or both.
type Resolution struct {
	Decision       string
	Reason         string
	HasCorrection  bool
	ReverseEntryID *int64
}

// CheckResolution validates an answer to an open objection about a
// display row: the common rules (CheckAnswer) and the display's own, that
// an upheld objection is corrected through the ledger.
func (o Objection) CheckResolution(r Resolution) (Resolution, error) {
	return o.checkAnswer(r, true)
}

// CanReverseFor says whether an upheld objection may reverse an entry: only
// one on the ledger of the person the objection is about (ownerID, the
// candidate whose chain holds the entry; 0 when there is no such entry).
func (o Objection) CanReverseFor(ownerID int64) error {
	if ownerID == 0 || ownerID != o.CandidateID {
		p := seedling.NewProblems(seedling.EInvalid)
		p.AddKey("reverse_entry_id", "problem.reverse_other_ledger", "the entry to reverse must be on the ledger of the person the objection is about")
		return p.Err()
	}
	return nil
}

// CheckAnswer validates an answer to any open objection (a display's or a
// pre-admission notice's): a second answer is a conflict, the decision is
// uphold or reject with a reason, and a rejection changes nothing in the
// ledger. A notice's objection is about the person, not about points, so
// upholding it books nothing either.
func (o Objection) CheckAnswer(r Resolution) (Resolution, error) {
	if r.HasCorrection || r.ReverseEntryID != nil {
		p := seedling.NewProblems(seedling.EInvalid)
		p.Add("correction", "an objection to a notice is answered without a ledger correction")
		return Resolution{}, p.Err()
	}
	return o.checkAnswer(r, false)
}

func (o Objection) checkAnswer(r Resolution, corrected bool) (Resolution, error) {
	if o.State != ObjectionOpen {
		return Resolution{}, seedling.Errorf(seedling.EConflict, "this objection has already been resolved").Keyed("problem.objection_resolved")
	}
	r.Reason = strings.TrimSpace(r.Reason)
	p := seedling.NewProblems(seedling.EInvalid)
	switch r.Decision {
	case Uphold:
		if corrected && !r.HasCorrection && r.ReverseEntryID == nil {
			p.Add("correction", "an upheld objection is corrected by a new entry, a reversal, or both")
		}
	case Reject:
		if r.HasCorrection || r.ReverseEntryID != nil {
			p.Add("decision", "a rejected objection changes nothing in the ledger")
		}
	default:
		p.Add("decision", "decision must be uphold or reject")
	}
	if r.Reason == "" {
		p.Add("reason", "reason is required")
	} else if utf8.RuneCountInString(r.Reason) > MaxText {
		p.Add("reason", "reason must be at most 2000 characters")
	}
	return r, p.Err()
}
