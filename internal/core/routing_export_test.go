package core

import "context"

// RouteNow routes an account's queue once on this node, whether or not
// it holds the assigner's lease: for tests of nodes routing at once.
func (s *Service) RouteNow(ctx context.Context, accountID int64) error {
	_, err := s.routeAccount(ctx, accountID)
	return err
}
