package web

import (
	"context"

	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

// scoreTotal is a candidate's current total, summed from the ledger each
// time: the pipeline's 80-point rule reads the same number the ledger pages
// show.
func (s *Server) scoreTotal(ctx context.Context, cand seedling.Candidate) (int, error) {
	scored, err := s.db.Scores().Scored(ctx, postgres.StandingFilter{IDs: []int64{cand.ID}})
	if err != nil {
		return 0, err
	}
	if len(scored) == 0 {
		return 0, seedling.Errorf(seedling.ENotFound, "not found")
	}
	return scored[0].Score.Total, nil
}
