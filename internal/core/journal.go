package core

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/store"
)

// The raw-event journal: a platform's verified request is committed before
// it is answered, then processed here, on whichever node claims it, through
// the one inbound pipeline. A crash between the answer and the processing
// loses nothing: the event waits in the journal for the next claim.
const (
	// journalLease is how long a claimed event is reserved for its
	// processor; a processor that dies releases it when it runs out.
	journalLease = time.Minute
	// journalAttempts is how many times an event is tried before it is
	// marked failed for an admin to read and retry.
	journalAttempts = 8
	// journalPoll is the longest wait between looks at the journal.
	journalPoll = time.Second
	// journalBatch is how many due events a processor claims at once: the
	// messages of different customers among them are received together.
	journalBatch = 128
)

// Webhook takes a platform's request to /webhooks/{inbox_id}: the inbox's
// adapter verifies it, and the events it carries are committed to the
// journal before the answer is returned. An unknown inbox is not_found; a
// request that fails verification is unauthorized; in both cases nothing is
// stored. A platform's retry of an event already journalled stores nothing.
func (s *Service) Webhook(ctx context.Context, inboxID int64, r *http.Request, sub string, body []byte) (channel.Hook, error) {
	// The inbox without its members, which no adapter needs to verify a
	// request: two reads per request.
	inbox, err := s.store.InboxByID(ctx, inboxID)
	if err != nil {
		return channel.Hook{}, err
	}
	if err := s.openSecrets(ctx, inbox); err != nil {
		return channel.Hook{}, err
	}
	adapter, err := s.channels.Get(inbox.Channel)
	if err != nil {
		return channel.Hook{}, err
	}
	wh, ok := adapter.(channel.Webhooker)
	if !ok {
		return channel.Hook{}, sahay.NotFound("webhook")
	}
	hook, err := wh.Webhook(inbox, r, sub, body)
	if err != nil {
		return channel.Hook{}, err
	}
	if err := s.journal(ctx, inbox, hook.Events); err != nil {
		return channel.Hook{}, err
	}
	return hook, nil
}

// InboxesBySettingID returns, with their secrets, the inboxes of a channel
// in every account whose setting key (one ending in "_id", such as
// "page_id") is value: where an event delivered to a platform's app,
// rather than to one inbox's webhook, belongs.
func (s *Service) InboxesBySettingID(ctx context.Context, channel, key, value string) ([]*sahay.Inbox, error) {
	found, err := s.store.InboxesBySettingID(ctx, channel, key, value)
	if err != nil {
		return nil, err
	}
	out := make([]*sahay.Inbox, 0, len(found))
	for _, in := range found {
		inbox, err := s.InboxWithSecrets(ctx, in.AccountID, in.ID)
		if sahay.ErrorCode(err) == sahay.ENOTFOUND {
			continue // removed since
		}
		if err != nil {
			return nil, err
		}
		out = append(out, inbox)
	}
	return out, nil
}

// journalRequest is a request's events waiting for the journal's next
// commit.
type journalRequest struct {
	events []*store.RawEvent
	// fresh says whether any event was new; err why none was journalled.
	fresh bool
	err   error
	done  chan struct{}
}

// journal commits raw events of an inbox and wakes the processor. The
// events of requests arriving together are committed together, by
// appendJournal; it returns once they are.
func (s *Service) journal(ctx context.Context, inbox *sahay.Inbox, events []channel.Raw) error {
	req := &journalRequest{done: make(chan struct{})}
	for _, e := range events {
		if e.DedupeKey == "" {
			return fmt.Errorf("core: %s event without a dedupe key", inbox.Channel)
		}
		req.events = append(req.events, &store.RawEvent{AccountID: inbox.AccountID, InboxID: inbox.ID,
			DedupeKey: e.DedupeKey, Body: e.Body, Headers: e.Headers})
	}
	if len(req.events) == 0 {
		return nil
	}
	s.ingestMu.RLock()
	if s.closed {
		s.ingestMu.RUnlock()
		return errors.New("core: shutting down")
	}
	select {
	case s.journalQueue <- req:
	case <-ctx.Done():
		s.ingestMu.RUnlock()
		return ctx.Err()
	}
	s.ingestMu.RUnlock()
	// Once queued, the outcome is awaited even if ctx ends, so that a
	// committed event is never refused.
	<-req.done
	return req.err
}

// appendJournal commits the requests queued for the journal, all those
// waiting (up to journalBatch events) in one transaction, until the
// service stops. SQLite has one appender, PostgreSQL as many as Receive
// has batchers.
func (s *Service) appendJournal() {
	for {
		var first *journalRequest
		select {
		case first = <-s.journalQueue:
		case <-s.stop:
			// Close has set closed under the lock: nothing more can be
			// queued, so after this drain no caller waits for ever.
			for {
				select {
				case r := <-s.journalQueue:
					r.err = errors.New("core: shutting down")
					close(r.done)
				default:
					return
				}
			}
		}
		batch, n := []*journalRequest{first}, len(first.events)
	fill:
		for n < journalBatch {
			select {
			case r := <-s.journalQueue:
				batch, n = append(batch, r), n+len(r.events)
			default:
				break fill
			}
		}
		s.commitJournal(batch)
	}
}

// commitJournal commits a batch of requests' events and answers them. If
// the batch fails (an inbox deleted meanwhile), each request is committed
// on its own, so that only the failing one fails.
func (s *Service) commitJournal(batch []*journalRequest) {
	ctx, now := context.Background(), time.Now()
	var err error
	if len(batch) == 1 && len(batch[0].events) == 1 {
		// Alone, it needs no transaction of its own.
		batch[0].fresh, err = s.store.JournalRawEvent(ctx, batch[0].events[0], now)
	} else {
		// In the order of their keys: two appenders on PostgreSQL, each
		// given a delivery and its repetition, then wait for each other
		// in one direction only, never in a deadlock.
		type pending struct {
			r *journalRequest
			e *store.RawEvent
		}
		var all []pending
		for _, r := range batch {
			for _, e := range r.events {
				all = append(all, pending{r, e})
			}
		}
		slices.SortFunc(all, func(a, b pending) int {
			return cmp.Or(cmp.Compare(a.e.InboxID, b.e.InboxID), strings.Compare(a.e.DedupeKey, b.e.DedupeKey))
		})
		_, err = s.store.Write(ctx, func(tx *store.Tx) error {
			for _, r := range batch {
				r.fresh = false
			}
			for _, p := range all {
				fresh, err := tx.JournalRawEvent(ctx, p.e, now)
				if err != nil {
					return err
				}
				p.r.fresh = p.r.fresh || fresh
			}
			return nil
		})
	}
	if err != nil && len(batch) > 1 {
		for _, r := range batch {
			s.commitJournal([]*journalRequest{r})
		}
		return
	}
	fresh := false
	for _, r := range batch {
		r.err, fresh = err, fresh || r.fresh
		close(r.done)
	}
	if fresh {
		s.wakeJournal()
	}
}

func (s *Service) wakeJournal() {
	select {
	case s.journalWake <- struct{}{}:
	default:
	}
}

// processJournal claims and processes due journal events until the
// service stops.
func (s *Service) processJournal() {
	for {
		for s.processDue() {
		}
		wait := journalPoll
		if next, ok, err := s.store.NextRawEventAt(context.Background()); err == nil && ok {
			wait = min(wait, max(time.Until(next), 0))
		}
		select {
		case <-s.stop:
			return
		case <-s.journalWake:
		case <-time.After(wait):
		}
	}
}

// processDue claims the due events, up to journalBatch of them, processes
// them and records how each ended. It reports whether there were any.
func (s *Service) processDue() bool {
	select {
	case <-s.stop:
		return false
	default:
	}
	ctx := context.Background()
	events, err := s.store.ClaimRawEvents(ctx, time.Now(), journalLease, journalBatch)
	if err != nil {
		s.log.Error("claim raw events", "err", err)
		return false
	}
	if len(events) == 0 {
		return false
	}
	var done []int64
	for i, err := range s.processRaws(ctx, events) {
		e := events[i]
		switch {
		case err == nil:
			done = append(done, e.ID)
			continue
		case errors.Is(err, channel.ErrPermanent) || e.Attempts >= journalAttempts:
			s.log.Warn("raw event failed", "event", e.ID, "inbox", e.InboxID, "attempts", e.Attempts, "err", err)
			err = s.store.FailRawEvent(ctx, e.ID, failureText(err), time.Now())
		default:
			wait := min(2*time.Second<<(e.Attempts-1), 10*time.Minute)
			s.log.Info("raw event retried", "event", e.ID, "inbox", e.InboxID, "in", wait, "err", err)
			err = s.store.RetryRawEvent(ctx, e.ID, time.Now().Add(wait), failureText(err))
		}
		if err != nil {
			s.log.Error("record raw event outcome", "event", e.ID, "err", err)
		}
	}
	if err := s.store.FinishRawEvents(ctx, done, time.Now()); err != nil {
		s.log.Error("record raw events processed", "events", len(done), "err", err)
	}
	return true
}

// parsedRaw is a journalled event parsed by its inbox's adapter.
type parsedRaw struct {
	inbox   *sahay.Inbox
	adapter channel.Adapter
	parsed  channel.Parsed
}

// ordersInbox says whether the event must be processed after every
// earlier event of its inbox and before every later one: a receipt may
// name a message an earlier event stored, a call's report the call, and a
// message that names its thread (an email's references, a reply token)
// may continue a conversation another participant's message started.
func (p *parsedRaw) ordersInbox() bool {
	if len(p.parsed.Receipts) > 0 || len(p.parsed.Calls) > 0 {
		return true
	}
	for _, in := range p.parsed.Messages {
		if len(in.Thread) > 0 || in.ReplyToken != "" {
			return true
		}
	}
	return false
}

// processRaws processes claimed events and returns each one's error. Each
// customer's events are processed one after the other in the order they
// were journalled, different customers' at once, so that their messages
// share Receive's batches. Some events keep their place among all of
// their inbox's (see ordersInbox).
func (s *Service) processRaws(ctx context.Context, events []*store.RawEvent) []error {
	errs := make([]error, len(events))
	inboxes := map[int64]*sahay.Inbox{}
	// customers holds the last event of each customer of an inbox;
	// barriers the last event of each inbox with receipts or calls, and
	// since the events of the inbox after it.
	customers := map[string]chan struct{}{}
	barriers := map[int64]chan struct{}{}
	since := map[int64][]chan struct{}{}
	var wg sync.WaitGroup
	for i, e := range events {
		p, err := s.parseRaw(ctx, e, inboxes)
		if err != nil {
			errs[i] = err
			continue
		}
		done := make(chan struct{})
		var earlier []chan struct{}
		if b, ok := barriers[e.InboxID]; ok {
			earlier = append(earlier, b)
		}
		if p.ordersInbox() {
			earlier = append(earlier, since[e.InboxID]...)
			barriers[e.InboxID], since[e.InboxID] = done, nil
		} else {
			for _, in := range p.parsed.Messages {
				k := fmt.Sprintf("%d/%s", e.InboxID, in.ContactID)
				if c, ok := customers[k]; ok && c != done {
					earlier = append(earlier, c)
				}
				customers[k] = done
			}
			since[e.InboxID] = append(since[e.InboxID], done)
		}
		wg.Go(func() {
			defer close(done)
			for _, c := range earlier {
				<-c
			}
			errs[i] = s.applyRaw(ctx, p)
		})
	}
	wg.Wait()
	return errs
}

// parseRaw parses a journalled event with its inbox's adapter. inboxes
// holds the inboxes read so far for the events claimed together.
func (s *Service) parseRaw(ctx context.Context, e *store.RawEvent, inboxes map[int64]*sahay.Inbox) (*parsedRaw, error) {
	inbox, ok := inboxes[e.InboxID]
	if !ok {
		var err error
		inbox, err = s.InboxWithSecrets(ctx, e.AccountID, e.InboxID)
		if sahay.ErrorCode(err) == sahay.ENOTFOUND {
			return nil, channel.Permanent(errors.New("the inbox no longer exists"))
		}
		if err != nil {
			return nil, err
		}
		inboxes[e.InboxID] = inbox
	}
	adapter, err := s.channels.Get(inbox.Channel)
	if err != nil {
		return nil, channel.Permanent(err)
	}
	p, ok := adapter.(channel.Parser)
	if !ok {
		return nil, channel.Permanent(fmt.Errorf("the %s channel does not parse events", inbox.Channel))
	}
	parsed, err := p.Parse(inbox, channel.Raw{DedupeKey: e.DedupeKey, Body: e.Body, Headers: e.Headers})
	if err != nil {
		return nil, channel.Permanent(err)
	}
	return &parsedRaw{inbox: inbox, adapter: adapter, parsed: parsed}, nil
}

// applyRaw feeds every message of a parsed event through the inbound
// pipeline, then applies its receipts and calls. All are idempotent, so an
// event retried halfway through stores nothing twice.
func (s *Service) applyRaw(ctx context.Context, p *parsedRaw) error {
	inbox, adapter := p.inbox, p.adapter
	for _, in := range p.parsed.Messages {
		in.InboxID = inbox.ID
		if err := s.receiveRaw(ctx, inbox, adapter, in); err != nil {
			return err
		}
	}
	for _, r := range p.parsed.Receipts {
		var err error
		if r.ExternalID == "" && !r.Watermark.IsZero() {
			err = s.updateDeliveryUpTo(ctx, inbox, recipientNamespace(inbox, adapter), r)
		} else {
			err = s.UpdateDelivery(ctx, inbox.ID, r.ExternalID, r.Status, r.Error)
		}
		if sahay.ErrorCode(err) == sahay.EINVALID {
			// The platform reported what no retry will make valid.
			return channel.Permanent(err)
		}
		if err != nil {
			return err
		}
	}
	for _, c := range p.parsed.Calls {
		if err := s.applyCall(ctx, inbox, c); err != nil {
			return err
		}
	}
	return nil
}

// receiveRaw fetches a parsed message's files and hands it to Receive. A
// message already stored is not fetched again.
func (s *Service) receiveRaw(ctx context.Context, inbox *sahay.Inbox, adapter channel.Adapter, in channel.Inbound) error {
	if len(in.Files) > 0 && in.ExternalID != "" && !in.Edit {
		if _, err := s.store.MessageByExternalID(ctx, inbox.ID, in.ExternalID); err == nil {
			return nil
		} else if sahay.ErrorCode(err) != sahay.ENOTFOUND {
			return err
		}
	}
	var notes []string
	for i, f := range in.Files {
		if i >= MaxAttachments {
			notes = append(notes, fmt.Sprintf("[%s: not kept, at most %d files per message]", f.Name, MaxAttachments))
			continue
		}
		att, note, err := s.fetchFile(ctx, inbox, adapter, f)
		if err != nil {
			s.dropBlobs(ctx, in.Attachments)
			return err
		}
		if note != "" {
			notes = append(notes, note)
			continue
		}
		in.Attachments = append(in.Attachments, att)
	}
	if len(notes) > 0 {
		in.Content = strings.TrimSpace(in.Content + "\n" + strings.Join(notes, "\n"))
	}
	in.Files = nil
	res, err := s.Receive(ctx, in)
	if err != nil || res.Duplicate || res.Edited {
		s.dropBlobs(ctx, in.Attachments)
	}
	if sahay.ErrorCode(err) == sahay.EINVALID {
		// The platform sent what no retry will make valid.
		return channel.Permanent(err)
	}
	return err
}

// fetchFile downloads and stores one file. A file Sahay does not keep (too
// large, of a refused type) is not an error: it becomes a note in the
// message, so the team knows the customer sent it.
func (s *Service) fetchFile(ctx context.Context, inbox *sahay.Inbox, adapter channel.Adapter, f channel.RemoteFile) (sahay.Attachment, string, error) {
	if f.Size > MaxAttachmentSize {
		return sahay.Attachment{}, fmt.Sprintf("[%s: not kept, larger than %d MB]", f.Name, MaxAttachmentSize>>20), nil
	}
	if f.Data != nil {
		return s.keepFile(ctx, f, io.NopCloser(bytes.NewReader(f.Data)))
	}
	fetcher, ok := adapter.(channel.Fetcher)
	if !ok {
		return sahay.Attachment{}, fmt.Sprintf("[%s: files of this channel are not fetched]", f.Name), nil
	}
	body, err := fetcher.Fetch(ctx, inbox, f, MaxAttachmentSize)
	if errors.Is(err, channel.ErrTooLarge) {
		return sahay.Attachment{}, fmt.Sprintf("[%s: not kept, larger than %d MB]", f.Name, MaxAttachmentSize>>20), nil
	}
	if err != nil {
		return sahay.Attachment{}, "", err
	}
	return s.keepFile(ctx, f, body)
}

// keepFile stores a file's content, and closes it.
func (s *Service) keepFile(ctx context.Context, f channel.RemoteFile, body io.ReadCloser) (sahay.Attachment, string, error) {
	defer body.Close()
	atts, err := s.storeUploads(ctx, []Upload{{FileName: f.Name, ContentType: f.ContentType, Body: body}})
	switch sahay.ErrorCode(err) {
	case "":
		atts[0].ContentID = f.ContentID
		return atts[0], "", nil
	case sahay.EINVALID, sahay.ETOOLARGE:
		return sahay.Attachment{}, "[" + sahay.ErrorMessage(err) + "]", nil
	}
	return sahay.Attachment{}, "", err
}

// RawEventView is a journalled event as an admin reads it.
type RawEventView struct {
	ID         int64     `json:"id"`
	InboxID    int64     `json:"inbox_id"`
	DedupeKey  string    `json:"dedupe_key"`
	State      string    `json:"state"`
	Attempts   int       `json:"attempts"`
	LastError  string    `json:"last_error"`
	ReceivedAt time.Time `json:"received_at"`
	Body       string    `json:"body"`
}

// InboxEvents lists an inbox's journalled events in a state (pending,
// done or failed), newest first, for an admin.
func (s *Service) InboxEvents(ctx context.Context, a *Actor, inboxID int64, state string) ([]RawEventView, error) {
	if err := s.administerInbox(ctx, a, inboxID); err != nil {
		return nil, err
	}
	switch state {
	case store.RawPending, store.RawDone, store.RawFailed:
	case "":
		state = store.RawFailed
	default:
		return nil, sahay.Invalid("state must be pending, done or failed")
	}
	events, err := s.store.RawEvents(ctx, a.AccountID(), state, 500)
	if err != nil {
		return nil, err
	}
	out := []RawEventView{}
	for _, e := range events {
		if e.InboxID != inboxID {
			continue
		}
		out = append(out, RawEventView{ID: e.ID, InboxID: e.InboxID, DedupeKey: e.DedupeKey, State: e.State, Attempts: e.Attempts,
			LastError: e.LastError, ReceivedAt: e.ReceivedAt, Body: strings.ToValidUTF8(string(e.Body), "\uFFFD")})
		if len(out) == 100 {
			break
		}
	}
	return out, nil
}

// RetryInboxEvent sends a failed event back to be processed now.
func (s *Service) RetryInboxEvent(ctx context.Context, a *Actor, inboxID, eventID int64) error {
	if err := s.administerInbox(ctx, a, inboxID); err != nil {
		return err
	}
	events, err := s.store.RawEvents(ctx, a.AccountID(), store.RawFailed, 500)
	if err != nil {
		return err
	}
	for _, e := range events {
		if e.ID == eventID && e.InboxID == inboxID {
			ok, err := s.store.RequeueRawEvent(ctx, a.AccountID(), eventID, time.Now())
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			s.wakeJournal()
			return nil
		}
	}
	return sahay.Errorf(sahay.ENOTFOUND, "no failed event %d in this inbox", eventID)
}
