package core

import (
	"testing"

	sahay "github.com/sahayhq/sahay"
)

// TestChooseAgent checks the order of preference: language first when some
// but not all candidates speak it, then the mode's measure, the other
// measure, and the lower id.
func TestChooseAgent(t *testing.T) {
	agent := func(id int64, load int, turn int64, speak bool) candidate {
		return candidate{user: &sahay.User{ID: id}, load: load, turn: turn, speak: speak}
	}
	rr := sahay.RoutingSettings{Mode: sahay.RoutingRoundRobin, LanguageAware: true}
	ll := sahay.RoutingSettings{Mode: sahay.RoutingLeastLoaded, LanguageAware: true}
	blind := sahay.RoutingSettings{Mode: sahay.RoutingLeastLoaded}
	for _, tc := range []struct {
		name   string
		set    sahay.RoutingSettings
		cands  []candidate
		want   int64
		reason string
	}{
		{"round robin: longest since a turn", rr, []candidate{agent(1, 0, 5, false), agent(2, 3, 2, false), agent(3, 0, 4, false)}, 2, "round_robin"},
		{"round robin ties: fewer open", rr, []candidate{agent(1, 2, 0, false), agent(2, 1, 0, false)}, 2, "round_robin"},
		{"round robin ties: lower id", rr, []candidate{agent(3, 1, 0, false), agent(2, 1, 0, false)}, 2, "round_robin"},
		{"least loaded: fewest open", ll, []candidate{agent(1, 2, 0, false), agent(2, 1, 9, false)}, 2, "least_loaded"},
		{"least loaded ties: longest since a turn", ll, []candidate{agent(1, 1, 7, false), agent(2, 1, 3, false)}, 2, "least_loaded"},
		{"a speaker first", ll, []candidate{agent(1, 0, 0, false), agent(2, 4, 9, true)}, 2, "language"},
		{"everyone speaks it: the mode decides", ll, []candidate{agent(1, 0, 0, true), agent(2, 4, 9, true)}, 1, "least_loaded"},
		{"language ignored when asked", blind, []candidate{agent(1, 0, 0, false), agent(2, 4, 9, true)}, 1, "least_loaded"},
	} {
		got, reason := chooseAgent(tc.cands, tc.set)
		if got == nil || got.user.ID != tc.want || reason != tc.reason {
			t.Errorf("%s: chose %v (%s), want %d (%s)", tc.name, got, reason, tc.want, tc.reason)
		}
	}
	if got, _ := chooseAgent(nil, rr); got != nil {
		t.Errorf("with no candidates chose %v", got)
	}
}
