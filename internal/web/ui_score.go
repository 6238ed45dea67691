package web

import (
	"github.com/gofiber/fiber/v2"

	"seedling/internal/authz"
	"seedling/internal/ledger"
	"seedling/internal/seedling"
)

// currentPeriod is today's quarter.
func currentPeriod(s *Server) ledger.Period { return ledger.PeriodOf(s.today()) }

// myScorePage is a candidate's own page: a dial against the 80 points, the
// points per dimension, what is still missing, and the ledger with its
// evidence, read-only.
func (s *Server) myScorePage(c *fiber.Ctx) error {
	p := currentSession(c).Principal
	if p.CandidateID == nil {
		return seedling.Errorf(seedling.ENotFound, "this page is for candidates viewing their own record").Keyed("error.own_record_only")
	}
	cand, err := s.db.Candidates().ByID(c.UserContext(), *p.CandidateID)
	if err != nil {
		return err
	}
	if _, err := s.authorize(c, authz.Target{Path: cand.OrgPath, CandidateID: cand.ID}, authz.Ledger, authz.Read); err != nil {
		return err
	}
	v, err := s.loadLedgerView(c, cand)
	if err != nil {
		return err
	}
	v.Self, v.CanWrite, v.CanAttach = true, false, false
	return s.render(c, fiber.StatusOK, "ledger", "score.title", v)
}
