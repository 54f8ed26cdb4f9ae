package bench_test

import (
	"context"
	"slices"
	"testing"

	"github.com/sahayhq/sahay/internal/bench"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
	"github.com/sahayhq/sahay/internal/textnorm"
)

// TestSeedKeepsCountsAndIndex seeds a small workspace on every dialect and
// checks what the benchmarks rely on: maintained counts equal COUNT(*),
// Load describes the workspace, and every needle is found exactly.
func TestSeedKeepsCountsAndIndex(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		ctx := context.Background()
		st := open(t)
		ws, err := bench.Seed(ctx, st, bench.Options{Conversations: 300, MessagesPer: 3, Inboxes: 4, Agents: 6, Batch: 97, Needles: true, Seed: 9})
		if err != nil {
			t.Fatal(err)
		}
		storetest.CheckCounts(t, st, ws.AccountID)
		loaded, err := bench.Load(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		if loaded.Conversations != 300 || len(loaded.InboxIDs) != 4 || len(loaded.AgentIDs) != 6 || loaded.OwnerID != ws.OwnerID {
			t.Fatalf("Load = %d conversations, %d inboxes, %d agents, owner %d; seeded 300, 4, 6, owner %d",
				loaded.Conversations, len(loaded.InboxIDs), len(loaded.AgentIDs), loaded.OwnerID, ws.OwnerID)
		}
		for _, n := range bench.Needles() {
			hits, err := st.SearchMessages(ctx, ws.AccountID, nil, textnorm.Terms(n.Query), 50)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range hits {
				got = append(got, h.Message.Content)
			}
			want := slices.Clone(n.Contents)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("needle %q: found %q, want %q", n.Query, got, want)
			}
		}
	})
}

func TestSeedIsDeterministic(t *testing.T) {
	a, b := bench.NewCorpus(5), bench.NewCorpus(5)
	for range 100 {
		lang := a.Language()
		if lang != b.Language() {
			t.Fatal("same seed, different languages")
		}
		if x, y := a.Customer(lang), b.Customer(lang); x != y {
			t.Fatalf("same seed, different messages: %q and %q", x, y)
		}
	}
}

func TestMatches(t *testing.T) {
	tests := []struct {
		content, query string
		want           bool
	}{
		{"My order #123456 has not arrived", "order", true},
		{"My order has not arrived", "orders", false},
		{"Where is my delivery?", "deliv", true},
		{"cash on delivery in Dhaka", "cash delivery", true},
		{"cash on delivery in Dhaka", "delivery cash", true},
		{"delivery in Dhaka", "cash delivery", false},
		{"बहुत ज़रूरी है", "जरूरी", true},
		{"দুই দিনের মধ্যে পৌঁছে যাবে", "পৌঁছে", true},
		{"প্যাকেট ছেঁড়া ছিল", "ছে\u0981ড\u09BCা", true},
		{"प्यार", "प", true},
		{"दाल चाहिए", "दिल", false},
		{"प्यार चाहिए", "प चाहिए", false},
	}
	for _, tt := range tests {
		if got := bench.Matches(tt.content, textnorm.Terms(tt.query)); got != tt.want {
			t.Errorf("Matches(%q, %q) = %v, want %v", tt.content, tt.query, got, tt.want)
		}
	}
}
