package core_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/nlp"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// waitFor polls cond every few milliseconds until it holds, failing the
// test after 30 seconds: far beyond what it takes, even on a machine busy
// with other tests.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 30s for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// analyzedLog records the calls of an OnAnalyzed hook.
type analyzedLog struct {
	mu    sync.Mutex
	calls []int64 // message ids, in call order
	byID  map[int64]nlp.Analysis
}

func (l *analyzedLog) hook(ctx context.Context, m *sahay.Message, a nlp.Analysis) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byID == nil {
		l.byID = map[int64]nlp.Analysis{}
	}
	l.calls = append(l.calls, m.ID)
	l.byID[m.ID] = a
}

func (l *analyzedLog) ids() []int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]int64(nil), l.calls...)
}

func TestIncomingMessagesAreScoredAfterTheyAreStored(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		st := open(t)
		f := fixtureOf(t, st, newScoringService(t, st))
		var log analyzedLog
		f.svc.OnAnalyzed(log.hook)
		ctx := context.Background()
		seq := f.lastSeq(t)

		texts := []string{"Where is my order?", "আমার অর্ডার এখনো আসেনি", "मेरा रिफंड कब मिलेगा?"}
		var last *core.Received
		for i, text := range texts {
			last = f.receive(t, f.mine, "cust-mood", fmt.Sprintf("m%d", i), text)
		}
		want := nlp.Analyze(texts[len(texts)-1])
		waitFor(t, "the messages scored", func() bool { return len(log.ids()) == len(texts) })
		c, err := f.svc.Conversation(ctx, f.admin, last.Conversation.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Mood == nil || c.Mood.Sentiment != want.Sentiment || c.Mood.Score != want.Score || c.Mood.Emotion != want.Emotion ||
			c.Mood.Urgency != want.Urgency || c.Sentiment != want.Score {
			t.Fatalf("mood = %+v, sentiment %v; want the last message's %+v", c.Mood, c.Sentiment, want)
		}
		if c.Language != want.Language {
			t.Fatalf("language = %q, want the last message's %q", c.Language, want.Language)
		}

		msgs, err := f.svc.Messages(ctx, f.admin, c.ID, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range msgs {
			a := nlp.Analyze(texts[i])
			if m.Analysis == nil || m.Analysis.Language != a.Language || m.Analysis.Script != a.Script ||
				m.Analysis.Sentiment != a.Sentiment || m.Analysis.Score != a.Score {
				t.Fatalf("message %d analysis = %+v, want %+v", i, m.Analysis, a)
			}
			if log.byID[m.ID].Language != a.Language {
				t.Fatalf("hook got %+v for message %d, want %+v", log.byID[m.ID], i, a)
			}
		}
		if got := log.ids(); got[0] != msgs[0].ID || got[2] != msgs[2].ID {
			t.Fatalf("hook calls %v, want the messages in order", got)
		}

		// The mood appearing is told to the dashboards, once.
		var updates int
		for _, ev := range f.eventsAfter(t, seq) {
			if ev.Type != sahay.EventConversationUpdated {
				continue
			}
			p, err := sahay.Decode[sahay.ConversationUpdated](ev)
			if err != nil {
				t.Fatal(err)
			}
			if p.Conversation.Mood == nil {
				t.Fatalf("conversation.updated without a mood: %s", ev.Data)
			}
			updates++
		}
		if updates == 0 {
			t.Fatal("no conversation.updated event told the mood")
		}

		// An agent's reply is not the customer's: it is not scored.
		var reply *sahay.Message
		reply, err = f.svc.PostMessage(ctx, f.admin, c.ID, core.NewMessage{Content: "We are on it!"})
		if err != nil {
			t.Fatal(err)
		}
		f.receive(t, f.mine, "cust-mood", "m-after", "thanks")
		waitFor(t, "the message after the reply", func() bool { return len(log.ids()) == len(texts)+1 })
		if _, err := st.MessageAnalysis(ctx, f.account.ID, reply.ID); sahay.ErrorCode(err) != sahay.ENOTFOUND {
			t.Fatalf("the agent's reply was analysed: %v", err)
		}
	})
}

// TestScoringSurvivesRestartAndSecondNode stores messages while no scorer
// runs, then scores them in small batches across a restart and with two
// nodes at once: every message is scored, none twice.
func TestScoringSurvivesRestartAndSecondNode(t *testing.T) {
	core.SetScoreBatch(t, 3)
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		st := open(t)
		f := newFixture(t, st)
		const n = 30
		for i := range n {
			f.receive(t, f.mine, fmt.Sprintf("cust-%d", i%7), fmt.Sprintf("r%d", i), fmt.Sprintf("order %d is late", i))
		}
		f.svc.Close()

		// The first node scores one batch, then stops while its hook
		// waits.
		// Hooks are given in the configuration: one registered after the
		// service starts would miss what the scorer takes at once.
		var firstLog analyzedLog
		called := make(chan struct{})
		var once sync.Once
		first := startService(t, st, false, func(c *core.Config) {
			c.OnAnalyzed = func(ctx context.Context, m *sahay.Message, a nlp.Analysis) {
				firstLog.hook(ctx, m, a)
				once.Do(func() { close(called) })
				<-ctx.Done()
			}
		})
		select {
		case <-called:
		case <-time.After(30 * time.Second):
			t.Fatal("the first node scored nothing")
		}
		first.Close()
		if got := len(firstLog.ids()); got == 0 || got >= n {
			t.Fatalf("first node scored %d messages, want some of %d", got, n)
		}

		// Two nodes take over.
		var rest analyzedLog
		for range 2 {
			svc := startService(t, st, false, func(c *core.Config) { c.OnAnalyzed = rest.hook })
			t.Cleanup(svc.Close)
		}
		// Once no account has events left to read, no hook can be called
		// again.
		waitFor(t, "every message scored", func() bool {
			backlog, err := st.AnalysisBacklogs(context.Background(), 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			return len(backlog) == 0 && len(firstLog.ids())+len(rest.ids()) >= n
		})
		seen := map[int64]int{}
		for _, id := range append(firstLog.ids(), rest.ids()...) {
			seen[id]++
		}
		if len(seen) != n {
			t.Fatalf("%d messages scored, want %d", len(seen), n)
		}
		for id, k := range seen {
			if k != 1 {
				t.Fatalf("message %d scored %d times", id, k)
			}
		}
	})
}
