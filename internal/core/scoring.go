package core

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/nlp"
	"github.com/sahayhq/sahay/internal/store"
)

// Scoring: every incoming message is analysed (language, sentiment,
// emotion, urgency) after Receive has stored it, never while: Receive's
// transaction does not wait for the analyzer. The node holding the lease
// scoreLeaseName follows each account's events past the account's
// analysis cursor, reads the incoming messages they announce, analyses
// them outside any transaction, and then, in one transaction per batch,
// stores the analyses, moves the mood of their conversations and moves
// the cursor. The cursor moves in the transaction that stores what it
// passed, so a restart neither loses a message nor scores one twice; the
// transaction checks the cursor under the account's lock, so a node that
// lost its lease mid-batch changes nothing.
const (
	scoreLeaseName = "message-scorer"
	scoreLease     = 10 * time.Second
	// scorePoll is how often the scorer looks for work when no event woke
	// it (events committed on another node wake it through a shared bus).
	scorePoll = time.Second
	// scoreAccounts bounds the accounts read per look.
	scoreAccounts = 64
	// scoreGap is the least time between two looks that found the
	// backlog read to its end: while messages trickle in, they are scored
	// a few times a second in batches, rather than each in a transaction
	// of its own that would take turns with Receive's (on SQLite, for its
	// one writer).
	scoreGap = 250 * time.Millisecond
	// scoreYield bounds how long the scorer waits for Receive's calls to
	// be answered before a batch: ingestion goes first, and a burst is
	// scored once it has been acknowledged, but scoring never waits for
	// ever (under load without a pause, one batch per scoreYield).
	scoreYield = time.Second
	// scoreHold is about how long, while ingestion does not pause, one of
	// the scorer's transactions holds the account's lock: Receive's
	// batches for the account wait that long at most behind it.
	scoreHold = 5 * time.Millisecond
)

// scoreBatch bounds the events of an account one transaction reads past
// the cursor: a variable so that tests can make batches small.
var scoreBatch atomic.Int64

func init() { scoreBatch.Store(256) }

// Mood trend: a message whose score is trendStep above (below) the moving
// average of the customer's earlier scores makes the mood rising
// (falling); the average then moves trendWeight of the way to it.
const (
	trendStep   = 0.2
	trendWeight = 0.5
)

// AnalyzedFunc is told of a message the scorer analysed.
type AnalyzedFunc func(ctx context.Context, m *sahay.Message, a nlp.Analysis)

// scorerHooks holds the functions registered with [Service.OnAnalyzed].
type scorerHooks struct {
	mu  sync.RWMutex
	fns []AnalyzedFunc
}

// OnAnalyzed registers fn to be called with every incoming message the
// scorer analyses and its analysis, after the analysis and the
// conversation's new mood are committed, in the order the messages were
// received. fn runs on the scorer's goroutine on the node that scored the
// message, with a context that ends when the service closes: it must
// return quickly, queueing longer work (an answer) as a job. A message is
// passed at most once; a node that stops between the commit and the call
// does not call it. Messages the scorer analyses before fn is registered
// are not passed to it: a function that must hear of every message is
// given in Config.OnAnalyzed.
func (s *Service) OnAnalyzed(fn AnalyzedFunc) {
	s.analyzed.mu.Lock()
	defer s.analyzed.mu.Unlock()
	s.analyzed.fns = append(s.analyzed.fns, fn)
}

func (s *Service) tellAnalyzed(ctx context.Context, scored []scoredMessage) {
	s.analyzed.mu.RLock()
	fns := s.analyzed.fns
	s.analyzed.mu.RUnlock()
	for _, sm := range scored {
		for _, fn := range fns {
			fn(ctx, sm.message, sm.analysis)
		}
	}
}

// scoreMessages runs the scorer while this node holds its lease, until
// the service stops.
func (s *Service) scoreMessages() {
	s.follow(follower{lease: scoreLeaseName, ttl: scoreLease, poll: scorePoll, gap: scoreGap, pass: s.scorePass})
}

// scorePass scores one batch of each account with unread events, and
// reports whether work may be left.
func (s *Service) scorePass(ctx context.Context) bool {
	backlog, err := s.store.AnalysisBacklogs(ctx, 0, scoreAccounts)
	if err != nil {
		s.log.Error("scorer backlog", "err", err)
		return false
	}
	more := len(backlog) == scoreAccounts
	for _, b := range backlog {
		batch := scoreBatch.Load()
		if !s.yieldToReceive(ctx, scoreLeaseName) {
			// Ingestion does not pause: the batch is as large as keeps
			// the account's lock, which Receive waits for, about
			// scoreHold, and never more than a few times the usual.
			batch = s.scoreCost.batchFor(scoreHold, batch/8, batch*4)
		}
		upTo := min(b.Last, b.Cursor+batch)
		if err := s.scoreAccount(ctx, b.AccountID, b.Cursor, upTo); err != nil {
			if !errors.Is(err, errScoredElsewhere) {
				s.log.Error("score messages", "account", b.AccountID, "err", err)
			}
			continue
		}
		more = more || upTo < b.Last
	}
	return more
}

// yieldToReceive waits, up to scoreYield, while Receive calls wait for
// their batch on this node: a follower's reads, work and transaction
// take CPU and, on SQLite, the writer that those messages need first. It
// reports whether the calls were answered (false when it gave up). who,
// the follower's lease, counts the passes that had to wait.
func (s *Service) yieldToReceive(ctx context.Context, who string) bool {
	if s.receiving.Load() > 0 {
		n, _ := s.gaveWay.LoadOrStore(who, new(atomic.Int64))
		n.(*atomic.Int64).Add(1)
	}
	deadline := time.Now().Add(scoreYield)
	for time.Now().Before(deadline) {
		if s.receiving.Load() == 0 {
			return true
		}
		select {
		case <-ctx.Done():
			return true
		case <-time.After(10 * time.Millisecond):
		}
	}
	return false
}

// holdCost is what the scorer's transaction has cost per event it read:
// a moving average, in nanoseconds, of the time from taking the account's
// lock to the commit.
type holdCost struct{ perEvent atomic.Int64 }

func (h *holdCost) observe(events int64, took time.Duration) {
	if events <= 0 {
		return
	}
	cost := int64(took) / events
	if old := h.perEvent.Load(); old > 0 {
		cost = (old + cost) / 2
	}
	h.perEvent.Store(max(cost, 1))
}

// batchFor is the number of events a transaction reads in about hold,
// between least and most: most until a cost was observed.
func (h *holdCost) batchFor(hold time.Duration, least, most int64) int64 {
	cost := h.perEvent.Load()
	if cost <= 0 {
		return most
	}
	return min(max(int64(hold)/cost, least), most)
}

// errScoredElsewhere says another node moved an account's cursor first.
var errScoredElsewhere = errors.New("core: the account's messages were scored by another node")

type scoredMessage struct {
	message  *sahay.Message
	analysis nlp.Analysis
}

// incomingCreated returns the ids of the customers' messages created by
// the account's events with after < seq <= upTo.
func (s *Service) incomingCreated(ctx context.Context, accountID, after, upTo int64) ([]int64, error) {
	created, err := s.store.CreatedMessages(ctx, accountID, after, upTo)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, m := range created {
		if m.Kind == sahay.MessageIncoming {
			ids = append(ids, m.ID)
		}
	}
	return ids, nil
}

// scoreAccount scores the incoming messages of the account's events with
// after < seq <= upTo, in one transaction. Everything that can be is read
// and computed before it: on SQLite the transaction holds the one writer
// that Receive's batches wait for.
func (s *Service) scoreAccount(ctx context.Context, accountID, after, upTo int64) error {
	ids, err := s.incomingCreated(ctx, accountID, after, upTo)
	if err != nil {
		return err
	}
	current, err := s.store.MessagesByID(ctx, accountID, ids)
	if err != nil {
		return err
	}
	var todo []scoredMessage
	var convIDs []int64
	seen := map[int64]bool{}
	for _, id := range ids {
		m := current[id]
		if m == nil || strings.TrimSpace(m.Content) == "" {
			continue
		}
		todo = append(todo, scoredMessage{message: m, analysis: nlp.Analyze(m.Content)})
		if !seen[m.ConversationID] {
			seen[m.ConversationID] = true
			convIDs = append(convIDs, m.ConversationID)
		}
	}
	// The moods are the scorer's alone to change, and no other scorer
	// can commit before the transaction sees the cursor where it was: they
	// may be read before it.
	moods, err := s.store.ConversationMoods(ctx, accountID, convIDs)
	if err != nil {
		return err
	}
	var scored []scoredMessage
	// Not s.write: the transaction queues no job, and waking the job
	// runner would cost it a write.
	var locked time.Time
	events, err := s.store.Write(ctx, func(tx *store.Tx) error {
		scored = scored[:0]
		if err := tx.LockAccount(ctx, accountID); err != nil {
			return err
		}
		locked = time.Now()
		cursor, err := tx.AnalysisCursor(ctx, accountID)
		if err != nil {
			return err
		}
		if cursor != after {
			return errScoredElsewhere
		}
		// One statement for the batch's analyses and one for its moods:
		// the account stays locked, and Receive waiting, for a few round
		// trips per batch rather than a few per message.
		ids := make([]int64, len(todo))
		analyses := make([]*sahay.MessageAnalysis, len(todo))
		for i, sm := range todo {
			ids[i], analyses[i] = sm.message.ID, messageAnalysis(sm.analysis)
		}
		stored, err := tx.InsertMessageAnalyses(ctx, accountID, ids, analyses)
		if err != nil {
			return err
		}
		next := map[int64]*sahay.Conversation{}
		for i, sm := range todo {
			base := moods[sm.message.ConversationID]
			if !stored[sm.message.ID] || base == nil {
				continue
			}
			sm.message.Analysis = analyses[i]
			scored = append(scored, sm)
			c := next[base.ID]
			if c == nil {
				copied := *base
				c = &copied
				next[base.ID] = c
			}
			moveMood(c, sm.analysis)
		}
		var changed []*sahay.Conversation
		var shown []int64
		for _, id := range convIDs {
			c := next[id]
			if c == nil {
				continue
			}
			changed = append(changed, c)
			if moodShown(moods[id]) != moodShown(c) {
				shown = append(shown, id)
			}
		}
		if err := tx.SetConversationMoods(ctx, accountID, changed); err != nil {
			return err
		}
		// What changed is told with the whole conversation, as every
		// conversation.updated event tells it.
		full, err := tx.ConversationsByID(ctx, accountID, shown)
		if err != nil {
			return err
		}
		for _, c := range full {
			if err := tx.Emit(ctx, c.AccountID, c.InboxID, c.ID, sahay.ConversationUpdated{Conversation: c}); err != nil {
				return err
			}
		}
		return tx.SetAnalysisCursor(ctx, accountID, upTo)
	})
	if err != nil {
		return err
	}
	s.scoreCost.observe(upTo-after, time.Since(locked))
	s.publish(events)
	s.tellAnalyzed(ctx, scored)
	return nil
}

// messageAnalysis is what is stored of an analysis.
func messageAnalysis(a nlp.Analysis) *sahay.MessageAnalysis {
	return &sahay.MessageAnalysis{Language: a.Language, Script: a.Script, Sentiment: a.Sentiment, Score: a.Score,
		Emotion: a.Emotion, Urgency: a.Urgency}
}

// moveMood changes a conversation as a newly analysed message of its
// customer does: the mood becomes the message's, its trend compares the
// message's score with the moving average of the earlier ones, and the
// conversation's language becomes the message's when the analyzer named
// one.
func moveMood(c *sahay.Conversation, a nlp.Analysis) {
	if a.Language != "" && a.Language != "und" {
		c.Language = a.Language
	}
	next := &sahay.Mood{Sentiment: a.Sentiment, Score: a.Score, Trend: sahay.TrendSteady, Average: a.Score,
		Emotion: a.Emotion, Urgency: a.Urgency}
	if prev := c.Mood; prev != nil {
		switch d := a.Score - prev.Average; {
		case d >= trendStep:
			next.Trend = sahay.TrendRising
		case d <= -trendStep:
			next.Trend = sahay.TrendFalling
		}
		next.Average = prev.Average + (a.Score-prev.Average)*trendWeight
	}
	c.Mood, c.Sentiment = next, a.Score
}

// moodShown is what an agent sees of a conversation's mood: a change to
// it is worth an event.
func moodShown(c *sahay.Conversation) [3]string {
	if c.Mood == nil {
		return [3]string{c.Language}
	}
	return [3]string{c.Language, c.Mood.Sentiment, c.Mood.Trend}
}
