package core

import (
	"context"
	"fmt"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
)

// Channel workers: background work an inbox needs on exactly one node (a
// Telegram bot's long polling). Every node looks for such inboxes every
// workerScan; the node that holds an inbox's lease in the database runs
// its worker and renews the lease, and a node that stops releases it. When
// a node dies its leases run out after workerLease and another node
// takes the work over at its next scan.
const (
	workerLease = 10 * time.Second
	workerScan  = 2 * time.Second
	// workerPause is the wait before a worker that returned an error is
	// started again.
	workerPause = 5 * time.Second
)

type runningWorker struct {
	cancel  context.CancelFunc
	done    chan struct{}
	version string
}

// channelWorkers runs the leased workers of this node until the service
// stops, then stops them and releases their leases.
func (s *Service) channelWorkers() {
	running := map[int64]*runningWorker{}
	stopOne := func(id int64, w *runningWorker) {
		w.cancel()
		<-w.done
		if err := s.store.ReleaseLease(context.Background(), workerLeaseName(id), s.node); err != nil {
			s.log.Warn("release inbox worker lease", "inbox", id, "err", err)
		}
		delete(running, id)
	}
	t := time.NewTicker(workerScan)
	defer t.Stop()
	for {
		wanted := s.workerInboxes()
		for id, w := range running {
			in, ok := wanted[id]
			select {
			case <-w.done:
				ok = false // it lost its lease: it may be taken again below
			default:
			}
			if !ok || in.version != w.version {
				stopOne(id, w)
			}
		}
		for id, in := range wanted {
			if _, busy := running[id]; busy {
				continue
			}
			got, err := s.store.AcquireLease(context.Background(), workerLeaseName(id), s.node, workerLease)
			if err != nil {
				s.log.Warn("acquire inbox worker lease", "inbox", id, "err", err)
				continue
			}
			if !got {
				continue
			}
			ctx, cancel := context.WithCancel(context.Background())
			w := &runningWorker{cancel: cancel, done: make(chan struct{}), version: in.version}
			running[id] = w
			go s.runWorker(ctx, w, in)
		}
		select {
		case <-s.stop:
			for id, w := range running {
				stopOne(id, w)
			}
			return
		case <-t.C:
		}
	}
}

func workerLeaseName(inboxID int64) string { return fmt.Sprintf("inbox-worker:%d", inboxID) }

type workerInbox struct {
	inbox   *sahay.Inbox
	worker  channel.Worker
	version string
}

// workerInboxes returns the inboxes whose adapters need a worker, with a
// version that changes when their settings or secrets do.
func (s *Service) workerInboxes() map[int64]workerInbox {
	out := map[int64]workerInbox{}
	ctx := context.Background()
	for _, name := range s.channels.Names() {
		adapter, err := s.channels.Get(name)
		if err != nil {
			continue
		}
		w, ok := adapter.(channel.Worker)
		if !ok {
			continue
		}
		inboxes, err := s.store.InboxesOfChannel(ctx, name)
		if err != nil {
			s.log.Warn("list inboxes for workers", "channel", name, "err", err)
			continue
		}
		for _, in := range inboxes {
			inbox, err := s.InboxWithSecrets(ctx, in.AccountID, in.ID)
			if err != nil {
				continue
			}
			if !w.NeedsWorker(inbox) {
				continue
			}
			sealed, _ := s.store.InboxSecrets(ctx, in.ID)
			out[in.ID] = workerInbox{inbox: inbox, worker: w, version: string(in.Settings) + "\x00" + sealed}
		}
	}
	return out
}

// runWorker runs an inbox's worker while this node holds its lease,
// renewing it; it returns when ctx ends or the lease is lost.
func (s *Service) runWorker(ctx context.Context, w *runningWorker, in workerInbox) {
	defer close(w.done)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		t := time.NewTicker(workerLease / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			ok, err := s.store.AcquireLease(ctx, workerLeaseName(in.inbox.ID), s.node, workerLease)
			if ctx.Err() != nil {
				return
			}
			if err != nil || !ok {
				s.log.Warn("inbox worker lost its lease", "inbox", in.inbox.ID, "err", err)
				cancel()
				return
			}
		}
	}()
	journal := func(jctx context.Context, events []channel.Raw) error {
		return s.journal(jctx, in.inbox, events)
	}
	for {
		err := in.worker.Work(ctx, in.inbox, journal)
		if ctx.Err() != nil {
			return
		}
		s.log.Warn("inbox worker stopped", "inbox", in.inbox.ID, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(workerPause):
		}
	}
}

// WorkerCursor returns where an inbox's worker is on its platform, as it
// last saved it with [Service.SetWorkerCursor]; "" when it never did.
func (s *Service) WorkerCursor(ctx context.Context, inboxID int64) (string, error) {
	return s.store.InboxCursor(ctx, inboxID)
}

// SetWorkerCursor saves where an inbox's worker is on its platform (an
// IMAP mailbox's UIDVALIDITY and last UID), once what it received up to
// there is journalled.
func (s *Service) SetWorkerCursor(ctx context.Context, inboxID int64, value string) error {
	return s.store.SetInboxCursor(ctx, inboxID, value, time.Now())
}

// JournalEvents commits raw events of an inbox that arrived outside its
// webhook and a worker (mail delivered to Sahay's own SMTP listener, a
// delivery to a platform app's webhook that its caller verified): it
// returns once they are durable, and they are processed as a webhook's.
// The dedupe keys are the webhook's, so an event that arrives both ways is
// kept once.
func (s *Service) JournalEvents(ctx context.Context, inboxID int64, events []channel.Raw) error {
	in, err := s.store.InboxByID(ctx, inboxID)
	if err != nil {
		return err
	}
	return s.journal(ctx, in, events)
}

// ChannelInboxes lists every account's inboxes of a channel, without
// their secrets, for an adapter that routes what it receives to them.
func (s *Service) ChannelInboxes(ctx context.Context, name string) ([]*sahay.Inbox, error) {
	return s.store.InboxesOfChannel(ctx, name)
}
