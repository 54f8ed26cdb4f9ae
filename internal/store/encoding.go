package store

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sync"

	sahay "github.com/sahayhq/sahay"
)

// encodeShare is the fewest events worth a goroutine of their own when
// events are encoded beside the transaction.
const encodeShare = 16

// encoding is events of the transaction whose data other goroutines are
// encoding (see [Tx.AppendEncoding]).
type encoding struct {
	// from is the position of the first of them in Tx.events.
	from int
	data [][]byte
	errs []error
	wg   sync.WaitGroup
}

// AppendEncoding appends events as [Tx.AppendEvent] does each, their data
// encoded by encode(i) for evs[i] on every core while the transaction goes
// on: a batch's events are many, and on SQLite the transaction holds the
// writer every other write waits for, so their JSON is encoded while it
// indexes the batch's messages rather than before. evs give each event's
// account, inbox, conversation and type. encode must not use the
// transaction, and what it reads must not change until the transaction
// ends. The transaction waits for it before it stores the events, begins a
// savepoint or ends; an error it returns then fails the transaction.
func (t *Tx) AppendEncoding(ctx context.Context, evs []sahay.Event, encode func(i int) ([]byte, error)) error {
	if len(evs) == 0 {
		return nil
	}
	if len(t.counted) > 0 || ctx.Value(automationKey{}) != nil {
		// Their data gets more added to it: encoded here, then.
		for i, ev := range evs {
			data, err := encode(i)
			if err != nil {
				return fmt.Errorf("store: encode %s event: %w", ev.Type, err)
			}
			ev.Data = data
			if err := t.AppendEvent(ctx, ev); err != nil {
				return err
			}
		}
		return nil
	}
	enc := &encoding{from: len(t.events), data: make([][]byte, len(evs)), errs: make([]error, len(evs))}
	for _, ev := range evs {
		ev.Data = nil
		if err := t.AppendEvent(ctx, ev); err != nil {
			t.events = t.events[:enc.from]
			return err
		}
	}
	n := len(evs)
	workers := max(1, min(runtime.GOMAXPROCS(0), n/encodeShare))
	for w := range workers {
		enc.wg.Go(func() {
			for i := w; i < n; i += workers {
				enc.data[i], enc.errs[i] = encode(i)
			}
		})
	}
	t.encodings = append(t.encodings, enc)
	return nil
}

// awaitEncodings waits for the events being encoded and gives them their
// data.
func (t *Tx) awaitEncodings() error {
	encs := t.encodings
	t.encodings = nil
	var failed error
	for _, enc := range encs {
		enc.wg.Wait()
		for i, data := range enc.data {
			if enc.errs[i] != nil {
				failed = fmt.Errorf("store: encode %s event: %w", t.events[enc.from+i].Type, enc.errs[i])
				continue
			}
			if len(data) == 0 || string(data) == "null" {
				data = json.RawMessage("{}")
			}
			t.events[enc.from+i].Data = data
		}
	}
	return failed
}
