// Package core holds Sahay's business rules: the inbound pipeline every
// channel feeds, the outbound pipeline every reply leaves through, and the
// operations on conversations, contacts and settings. Authorization is
// checked here, so every entry point (API, WebSocket, CLI) gets the same
// answer. Side effects reach the rest of the system as committed events.
package core

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/ai"
	"github.com/sahayhq/sahay/internal/auth"
	"github.com/sahayhq/sahay/internal/blob"
	"github.com/sahayhq/sahay/internal/bus"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/jobs"
	"github.com/sahayhq/sahay/internal/netguard"
	"github.com/sahayhq/sahay/internal/nlp"
	"github.com/sahayhq/sahay/internal/ratelimit"
	"github.com/sahayhq/sahay/internal/secretbox"
	"github.com/sahayhq/sahay/internal/store"
)

// Service is the domain service. Create it with [New] and stop it with
// [Service.Close].
type Service struct {
	// slaRecorded are the SLA warnings and breaches this node's timer
	// knows to be recorded.
	slaRecorded slaRecorded
	// slaWatch is what the SLA timer knows of each account between
	// passes.
	slaWatch slaWatch
	// slaChecked counts the conversations the SLA timer read, slaPasses
	// its passes.
	slaChecked, slaPasses atomic.Int64
	store                 *store.Store
	bus                   bus.Bus
	box                   *secretbox.Box
	channels              *channel.Registry
	blobs                 blob.Store
	mailer                Mailer
	pusher                Pusher
	// publicURL prefixes links in notifications.
	publicURL string
	// serverSecrets are the values of Config.ServerSecrets.
	serverSecrets []string
	allowSignUp   bool
	// allowPrivateURLs lets configured URLs reach the server's own network.
	allowPrivateURLs bool
	jobs             *jobs.Runner
	log              *slog.Logger
	// addresses counts wrong passwords by client address.
	addresses addressLimits
	// kb keeps the help centers read and their readers' counts.
	kb kbState
	// roster knows which agents have the dashboard open; sharedBus says
	// other nodes share the bus and the roster.
	roster    *roster
	sharedBus bool
	// analyze reads customers' messages for the bot; botTurns lets the
	// bot read one message of a conversation at a time (striped by
	// conversation id), so it counts its own earlier answers.
	analyze  func(text string) nlp.Analysis
	botTurns [64]sync.Mutex

	// ingest queues Receive calls for the batchers, one queue each.
	ingest []chan *receiveRequest
	// inboxes holds the id and account of the inboxes messages were
	// received for, by id (see receivingInbox).
	inboxes sync.Map
	// journalQueue holds the requests waiting for the journal's next
	// commit; journalWake wakes the raw-event processor; node names this
	// node among those holding leases.
	journalQueue chan *journalRequest
	journalWake  chan struct{}
	// callsPerAgent bounds the calls an agent places, each billed by the
	// phone platform.
	callsPerAgent *ratelimit.Limiter
	// toneChecks bounds how often an agent's drafts are checked.
	toneChecks *ratelimit.Limiter
	node       string
	// aiHTTP calls the accounts' AI endpoints; webhookHTTP their agent
	// bots' webhooks.
	aiHTTP      *http.Client
	webhookHTTP *http.Client
	// analyzed are the functions told of scored messages; receiving
	// counts the Receive calls waiting for their batch, for the scorer.
	analyzed  scorerHooks
	receiving atomic.Int64
	// gaveWay counts, by follower, the passes that waited for Receive
	// calls (see yieldToReceive).
	gaveWay sync.Map
	// scoreCost is what the scorer's transactions cost per event.
	scoreCost holdCost
	// assigner is the routing state of the node holding its lease.
	assigner assigner
	// ingestMu and closed keep Receive and the journal from queueing
	// after Close.
	ingestMu  sync.RWMutex
	closed    bool
	stop      chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup
}

// Config wires a Service.
type Config struct {
	Store    *store.Store
	Bus      bus.Bus
	Box      *secretbox.Box
	Channels *channel.Registry
	// Blobs stores attachment files.
	Blobs blob.Store
	// Mailer and Pusher deliver notifications by email and Web Push; either
	// may be nil.
	Mailer    Mailer
	Pusher    Pusher
	PublicURL string
	// ServerSecrets are the operator's own credentials that inboxes may
	// hold (the Meta app secret of Connect with Facebook): they work for
	// every account, so no account's admin is shown them.
	ServerSecrets []string
	Log           *slog.Logger
	// AllowSignUp lets people create an account and its owner themselves.
	AllowSignUp bool
	// AllowPrivateURLs lets URLs that users configure (Web Push endpoints
	// here; channel adapters take the same setting) reach loopback, private
	// and link-local addresses.
	AllowPrivateURLs bool
	// SharedBus says other nodes share the bus (NATS): agents' connections
	// are then told between nodes.
	SharedBus bool
	// NoScoring turns the scoring of incoming messages off: for measuring
	// ingestion without it.
	NoScoring bool
	// OnAnalyzed, when not nil, is registered with [Service.OnAnalyzed]
	// before the scorer starts, so that it hears of every message the
	// scorer analyses, the first ones after a restart too.
	OnAnalyzed AnalyzedFunc
	// Analyze reads a customer's message for the bot; nlp.Analyze when
	// nil. Tests give one that reads their messages as they need.
	Analyze func(text string) nlp.Analysis
}

// New returns a running service: its ingestion batcher and job runner are
// started and stop with [Service.Close].
func New(cfg Config) *Service {
	s := &Service{
		store:            cfg.Store,
		bus:              cfg.Bus,
		box:              cfg.Box,
		channels:         cfg.Channels,
		blobs:            cfg.Blobs,
		mailer:           cfg.Mailer,
		pusher:           cfg.Pusher,
		log:              cfg.Log,
		publicURL:        cfg.PublicURL,
		serverSecrets:    slices.DeleteFunc(slices.Clone(cfg.ServerSecrets), func(v string) bool { return v == "" }),
		allowSignUp:      cfg.AllowSignUp,
		allowPrivateURLs: cfg.AllowPrivateURLs,
		aiHTTP:           ai.HTTPClient(cfg.AllowPrivateURLs),
		webhookHTTP:      netguard.Client(cfg.AllowPrivateURLs),
		journalQueue:     make(chan *journalRequest, 4096),
		journalWake:      make(chan struct{}, 1),
		callsPerAgent:    ratelimit.New(callRate, 10000),
		toneChecks:       ratelimit.New(toneRate, 10000),
		node:             auth.NewToken(),
		stop:             make(chan struct{}),
		roster:           newRoster(),
		sharedBus:        cfg.SharedBus,
		analyze:          cfg.Analyze,
		assigner:         assigner{wake: make(chan struct{}, 1), away: map[int64]map[int64]time.Time{}, after: map[int64]int64{}},
	}
	if s.analyze == nil {
		s.analyze = nlp.Analyze
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.jobs = jobs.NewRunner(cfg.Store, s.log)
	s.jobs.Handle(jobSendMessage, jobs.Handler{Run: s.runSend, Failed: s.sendFailed})
	s.jobs.Handle(jobCSATSurvey, jobs.Handler{Run: s.runSurvey, Failed: s.surveyFailed})
	s.jobs.Handle(jobNotify, jobs.Handler{Run: s.runNotify})
	s.jobs.Handle(jobNewConversation, jobs.Handler{Run: s.runNewConversation})
	s.jobs.Handle(jobContactProfile, jobs.Handler{Run: s.runContactProfile})
	s.jobs.Handle(jobBot, jobs.Handler{Run: s.runBot, Failed: s.botFailed})
	s.jobs.Handle(jobRuleWebhook, jobs.Handler{Run: s.runRuleWebhook, Failed: s.ruleWebhookFailed})
	writers, overlap := 1, 1
	if cfg.Store.Dialect() == store.Postgres {
		writers, overlap = ingestWriters, ingestOverlap
	}
	for range writers {
		ingest := make(chan *receiveRequest, 4096)
		s.ingest = append(s.ingest, ingest)
		s.wg.Go(func() { s.batchReceives(ingest, overlap) })
		// On PostgreSQL the journal's commits, too, wait for the disk
		// side by side.
		s.wg.Go(s.appendJournal)
	}
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		s.processJournal()
	}()
	go func() {
		defer s.wg.Done()
		s.channelWorkers()
	}()
	if cfg.OnAnalyzed != nil {
		s.OnAnalyzed(cfg.OnAnalyzed)
	}
	if !cfg.NoScoring {
		s.wg.Go(s.scoreMessages)
		// The sentiment and topic counts follow the scorer's analyses.
		s.wg.Go(s.runVoice)
	}
	// Public messages naming a followed keyword become mentions, off the
	// receive path like the scorer.
	s.wg.Go(s.matchMentions)
	// Automation rules act on the accounts' events, off the receive path.
	s.wg.Go(s.runAutomation)
	// Report facts follow the accounts' events, off the receive path.
	s.wg.Go(s.runReports)
	if cfg.Store.Dialect() == store.SQLite {
		s.wg.Go(s.indexSearch)
	}
	// Routing assigns new conversations, and again when an agent's
	// presence changes.
	s.OnAgentPresence(func(_, _ int64) { s.nudgeRouting() })
	s.wg.Go(s.runRouting)
	// SLA warnings and breaches, recorded once whichever node finds them.
	s.wg.Go(s.runSLATimer)
	// Help center views, searches and feedback, written every few seconds.
	s.wg.Go(s.flushKBStats)
	s.jobs.Start()
	s.startTimers()
	if s.sharedBus {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.followRoster()
		}()
	}
	return s
}

// Close stops background work and waits for it.
func (s *Service) Close() {
	s.closeOnce.Do(func() {
		s.ingestMu.Lock()
		s.closed = true
		s.ingestMu.Unlock()
		close(s.stop)
		s.jobs.Stop()
		s.wg.Wait()
	})
}

// Bus returns the event bus.
func (s *Service) Bus() bus.Bus { return s.bus }

// Channels returns the channel registry.
func (s *Service) Channels() *channel.Registry { return s.channels }

// write runs fn in a transaction and publishes the events it committed.
func (s *Service) write(ctx context.Context, fn func(*store.Tx) error) error {
	events, err := s.store.Write(ctx, fn)
	if err != nil {
		return err
	}
	s.publish(events)
	// The change may have queued jobs (sends, notifications): look now.
	s.jobs.Wake()
	return nil
}

func (s *Service) publish(events []sahay.Event) {
	if len(events) == 0 {
		return
	}
	// The events are committed; a failed publish only delays subscribers,
	// which catch up from the store by sequence number.
	if err := s.bus.Publish(context.Background(), events); err != nil {
		s.log.Warn("publish events", "err", err)
	}
}

// Actor is a signed-in user with what they may see.
type Actor struct {
	User *sahay.User
	// inboxes are the inboxes an agent is a member of; nil for admins, who
	// see every inbox of their account.
	inboxes []int64
	teams   []int64
}

// Actor loads what user may see.
func (s *Service) Actor(ctx context.Context, user *sahay.User) (*Actor, error) {
	a := &Actor{User: user}
	if user.Role == sahay.RoleBot {
		// An agent bot sees its inbox alone, and belongs to no team.
		a.inboxes = []int64{user.BotInboxID}
		return a, nil
	}
	var err error
	if !user.IsAdmin() {
		if a.inboxes, err = s.store.UserInboxIDs(ctx, user.ID); err != nil {
			return nil, err
		}
	}
	if a.teams, err = s.store.UserTeamIDs(ctx, user.ID); err != nil {
		return nil, err
	}
	return a, nil
}

// AccountID is the actor's account.
func (a *Actor) AccountID() int64 { return a.User.AccountID }

// CanSeeInbox reports whether the actor may see the inbox's conversations.
func (a *Actor) CanSeeInbox(inboxID int64) bool {
	return a.inboxes == nil || slices.Contains(a.inboxes, inboxID)
}

// Inboxes returns the inboxes the actor is limited to, or nil for all.
func (a *Actor) Inboxes() []int64 { return a.inboxes }

// Teams returns the actor's teams.
func (a *Actor) Teams() []int64 { return a.teams }

// CanSeeEvent reports whether the actor may receive an event.
func (a *Actor) CanSeeEvent(ev sahay.Event) bool {
	if ev.AccountID != a.User.AccountID {
		return false
	}
	if ev.UserID != 0 {
		return ev.UserID == a.User.ID
	}
	return ev.InboxID == 0 || a.CanSeeInbox(ev.InboxID)
}

// EventVisible reports whether the actor may receive a stored event:
// [Actor.CanSeeEvent], and for an agent an event about a contact only when
// the agent may see the contact.
func (s *Service) EventVisible(ctx context.Context, a *Actor, ev sahay.Event) (bool, error) {
	if !a.CanSeeEvent(ev) {
		return false, nil
	}
	if a.inboxes == nil || (ev.Type != sahay.EventContactUpdated && ev.Type != sahay.EventContactMerged && ev.Type != sahay.EventContactCreated) {
		return true, nil
	}
	var contact *sahay.Contact
	if ev.Type == sahay.EventContactCreated {
		p, err := sahay.Decode[sahay.ContactCreated](ev)
		if err != nil {
			return false, err
		}
		contact = p.Contact
	} else if ev.Type == sahay.EventContactMerged {
		p, err := sahay.Decode[sahay.ContactMerged](ev)
		if err != nil {
			return false, err
		}
		contact = p.Contact
	} else {
		p, err := sahay.Decode[sahay.ContactUpdated](ev)
		if err != nil {
			return false, err
		}
		contact = p.Contact
	}
	if contact == nil {
		return false, nil
	}
	return s.store.ContactVisible(ctx, a.AccountID(), contact.ID, a.inboxes)
}

func (a *Actor) requireAdmin() error {
	if !a.User.IsAdmin() {
		return sahay.Errorf(sahay.EFORBIDDEN, "only an administrator may do this")
	}
	return nil
}

// Presence tells the agents who can see a conversation that the actor is
// viewing it, typing in it, or has left it. Presence is not stored: it is
// published to the bus without a sequence number.
func (s *Service) Presence(ctx context.Context, a *Actor, conversationID int64, state string) error {
	switch state {
	case "viewing", "typing", "idle", "left":
	default:
		return sahay.Invalid("presence state must be viewing, typing, idle or left")
	}
	c, err := s.visibleConversation(ctx, a, conversationID)
	if err != nil {
		return err
	}
	ev, err := sahay.NewEvent(c.AccountID, c.InboxID, c.ID, sahay.Presence{Name: a.User.Name, State: state, UserID: a.User.ID})
	if err != nil {
		return err
	}
	return s.bus.Publish(ctx, []sahay.Event{ev})
}
