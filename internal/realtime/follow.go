package realtime

import (
	"context"
	"log/slog"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/bus"
	"github.com/sahayhq/sahay/internal/core"
)

// follow hands every event on b to dispatch until ctx ends. If the bus
// drops the subscription for being slow, it subscribes again and then calls
// lost: the sockets must read what they missed from the store. Lost is
// called only once the new subscription is in place, so an event committed
// while the subscription was down is either in the store when they read it
// or arrives on the new subscription.
func follow(ctx context.Context, b bus.Bus, log *slog.Logger, dispatch func(sahay.Event), lost func()) {
	dropped := false
	for ctx.Err() == nil {
		sub, err := b.Subscribe(0)
		if err != nil {
			log.Error("realtime: subscribe to events", "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
				continue
			}
		}
		if dropped {
			lost()
		}
		func() {
			defer sub.Close()
			for {
				select {
				case <-ctx.Done():
					return
				case ev, ok := <-sub.C:
					if !ok {
						return
					}
					dispatch(ev)
				}
			}
		}()
		dropped = true
	}
}

// sweep calls f every sweepEvery until ctx ends.
func sweep(ctx context.Context, f func(now time.Time)) {
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			f(now)
		}
	}
}

// replay reads an account's stored events after seq after, in order, and
// hands each to f, until one with seq upTo (0: the latest), until it read
// max events (0: no limit) or f fails. It returns the last seq read and
// whether it stopped at max.
func replay(ctx context.Context, svc *core.Service, accountID, after, upTo int64, max int, f func(sahay.Event) error) (int64, bool, error) {
	last := after
	for read := 0; max == 0 || read < max; {
		if upTo > 0 && last >= upTo {
			return last, false, nil
		}
		evs, err := svc.EventsAfter(ctx, accountID, last, replayPage)
		if err != nil {
			return last, false, err
		}
		for _, ev := range evs {
			if upTo > 0 && ev.Seq > upTo {
				return last, false, nil
			}
			last = ev.Seq
			if err := f(ev); err != nil {
				return last, false, err
			}
		}
		read += len(evs)
		if len(evs) < replayPage {
			return last, false, nil
		}
	}
	return last, true, nil
}
