package core

import "context"

// RouteNow routes an account's queue once on this node, whether or not
// it holds the assigner's lease: for tests of nodes routing at once.
func (s *Service) RouteNow(ctx context.Context, accountID int64) error {
	r, err := s.loadRouting(ctx, accountID)
	if err != nil || r == nil {
		return err
	}
	_, err = s.route(ctx, r)
	return err
}
