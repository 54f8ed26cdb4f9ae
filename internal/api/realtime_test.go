package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
)

// newLabel creates a label, which commits exactly one event, and returns its
// id.
func newLabel(t *testing.T, s *apitest.Server, u *apitest.User, name string) int64 {
	t.Helper()
	var l sahay.Label
	s.Must(t, u.Token, http.MethodPost, "/api/v1/labels", map[string]string{"name": name}, http.StatusCreated, &l)
	return l.ID
}

// labelOf returns the id of the label a label.changed event is about.
func labelOf(t *testing.T, ev sahay.Event) int64 {
	t.Helper()
	var data struct {
		Label struct {
			ID int64 `json:"id"`
		} `json:"label"`
	}
	if ev.Type != sahay.EventLabelChanged || json.Unmarshal(ev.Data, &data) != nil {
		t.Fatalf("event %d is %s %s, want label.changed", ev.Seq, ev.Type, ev.Data)
	}
	return data.Label.ID
}

// TestRealtimeResume disconnects a client, commits events while it is away,
// and checks that reconnecting with the last sequence number it saw
// delivers exactly the missed events, in order, before live ones.
func TestRealtimeResume(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		s := apitest.NewServer(t)
		o := s.NewAccount(t, "Acme")

		st, hello := s.Connect(t, o.Token, "")
		if want := lastSeq(t, s, o.AccountID); hello != want {
			t.Errorf("hello seq = %d, want the account's latest %d", hello, want)
		}
		first := newLabel(t, s, o, "first")
		ev := st.Next(t)
		if ev.Seq != hello+1 || labelOf(t, ev) != first {
			t.Fatalf("live event = seq %d label %d, want seq %d label %d", ev.Seq, labelOf(t, ev), hello+1, first)
		}
		seen := ev.Seq
		st.Close()

		var missed []int64
		for _, name := range []string{"second", "third", "fourth"} {
			missed = append(missed, newLabel(t, s, o, name))
		}
		st, hello = s.Connect(t, o.Token, fmt.Sprintf("since=%d", seen))
		if hello != seen+3 {
			t.Errorf("hello after reconnecting = %d, want %d", hello, seen+3)
		}
		for i, id := range missed {
			ev := st.Next(t)
			if ev.Seq != seen+int64(i)+1 || labelOf(t, ev) != id {
				t.Fatalf("missed event %d = seq %d label %d, want seq %d label %d", i, ev.Seq, labelOf(t, ev), seen+int64(i)+1, id)
			}
		}
		live := newLabel(t, s, o, "live")
		if ev := st.Next(t); ev.Seq != seen+4 || labelOf(t, ev) != live {
			t.Fatalf("live event after the replay = seq %d label %d, want seq %d label %d", ev.Seq, labelOf(t, ev), seen+4, live)
		}

		t.Run("since-zero-replays-everything", func(t *testing.T) {
			latest := lastSeq(t, s, o.AccountID)
			st, hello := s.Connect(t, o.Token, "since=0")
			if hello != latest {
				t.Errorf("hello = %d, want %d", hello, latest)
			}
			for want := int64(1); want <= latest; want++ {
				if ev := st.Next(t); ev.Seq != want {
					t.Fatalf("replayed seq %d, want %d", ev.Seq, want)
				}
			}
		})

		t.Run("since-ahead-of-server", func(t *testing.T) {
			latest := lastSeq(t, s, o.AccountID)
			st, hello := s.Connect(t, o.Token, fmt.Sprintf("since=%d", latest+100))
			if hello != latest {
				t.Errorf("hello = %d, want %d", hello, latest)
			}
			id := newLabel(t, s, o, "after-future-since")
			if ev := st.Next(t); ev.Seq != latest+1 || labelOf(t, ev) != id {
				t.Errorf("first event = seq %d, want the next live one, %d", ev.Seq, latest+1)
			}
		})

		t.Run("resume-while-writing", func(t *testing.T) {
			// Events committed while the client reconnects fall either in the
			// replay or in the live stream, never in neither or both.
			const n = 20
			from := lastSeq(t, s, o.AccountID)
			errs := make(chan error, 1)
			go func() {
				var err error
				for i := range n {
					req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/v1/labels", strings.NewReader(fmt.Sprintf(`{"name":"busy-%d"}`, i)))
					req.Header.Set("Authorization", "Bearer "+o.Token)
					req.Header.Set("Content-Type", "application/json")
					resp, rerr := http.DefaultClient.Do(req)
					if rerr == nil {
						resp.Body.Close()
						if resp.StatusCode != http.StatusCreated {
							rerr = fmt.Errorf("create label %d: status %d", i, resp.StatusCode)
						}
					}
					if rerr != nil && err == nil {
						err = rerr
					}
				}
				errs <- err
			}()
			st, _ := s.Connect(t, o.Token, fmt.Sprintf("since=%d", from))
			for want := from + 1; want <= from+n; want++ {
				if ev := st.Next(t); ev.Seq != want {
					t.Fatalf("seq %d, want %d: an event was lost or repeated", ev.Seq, want)
				}
			}
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		})
	})
}

// TestRealtimeKeepsNodeEventsFromClients: events nodes exchange among
// themselves (a visitor's presence) never reach an agent's socket, while a
// live event published after them does.
func TestRealtimeKeepsNodeEventsFromClients(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		s := apitest.NewServer(t)
		o := s.NewAccount(t, "Acme")
		st, hello := s.Connect(t, o.Token, "")
		internal := sahay.Event{AccountID: o.AccountID, Type: sahay.EventInternalPrefix + "visitor", Data: json.RawMessage(`{"node":"x"}`)}
		if err := s.App.Service.Bus().Publish(context.Background(), []sahay.Event{internal}); err != nil {
			t.Fatal(err)
		}
		id := newLabel(t, s, o, "after")
		if ev := st.Next(t); ev.Seq != hello+1 || labelOf(t, ev) != id {
			t.Fatalf("first event = %s seq %d, want the label at seq %d", ev.Type, ev.Seq, hello+1)
		}
	})
}

// openFiles counts the descriptors this process holds: the test server runs
// in it, so a connection the server never closes stays in the count.
func openFiles(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd to count descriptors: %v", err)
	}
	return len(fds)
}

// TestRealtimeReleasesConnections opens and closes many realtime sockets,
// with a close frame and without one, and checks that the server lets go of
// every connection's descriptor: a server that kept them would run out and
// stop accepting connections.
func TestRealtimeReleasesConnections(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		// Not parallel: other tests' connections would move the count.
		s := apitest.NewServer(t)
		o := s.NewAccount(t, "Acme")
		for _, mode := range []string{"close-frame", "dropped"} {
			t.Run(mode, func(t *testing.T) {
				first, _ := s.Connect(t, o.Token, "") // the first connection's lazily opened files
				first.Close()
				before := openFiles(t)
				const n = 100
				for range n {
					st, _ := s.Connect(t, o.Token, "")
					if mode == "dropped" {
						st.Drop()
					} else {
						st.Close()
					}
				}
				waitFor(t, 15*time.Second, "the server to release the sockets' descriptors", func() (bool, string) {
					now, conns := openFiles(t), s.App.API.Hub().Connections()
					return now <= before+5 && conns == 0,
						fmt.Sprintf("%d descriptors open, %d before %d sockets; %d connections in the hub", now, before, n, conns)
				})
			})
		}
	})
}

// TestRealtimeWithoutUpgrade checks that a plain HTTP request to the
// realtime stream gets 426 in the API's error shape, saying what to do.
func TestRealtimeWithoutUpgrade(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		s := apitest.NewServer(t)
		owner := s.NewAccount(t, "Acme")
		r := s.Call(t, owner.Token, http.MethodGet, "/api/v1/realtime", nil)
		wantError(t, r, http.StatusUpgradeRequired, sahay.EUPGRADE)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("Content-Type = %q, want JSON", ct)
		}
		if up := r.Header.Get("Upgrade"); up != "websocket" {
			t.Errorf("Upgrade = %q, want websocket", up)
		}
	})
}

// TestRealtimeFrameLimit checks that a client sending frames at a steady
// pace under ten a second keeps its connection, and that a flood of them
// closes it with 1008.
func TestRealtimeFrameLimit(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		s := apitest.NewServer(t)
		owner := s.NewAccount(t, "Acme")
		frame := map[string]any{"type": "presence", "conversation_id": 0, "state": "typing"}

		steady, _ := s.Connect(t, owner.Token, "")
		for range 15 {
			steady.Send(t, frame)
			time.Sleep(150 * time.Millisecond)
		}
		id := newLabel(t, s, owner, "still-connected")
		steady.Until(t, func(ev sahay.Event) bool { return ev.Type == sahay.EventLabelChanged && labelOf(t, ev) == id })

		flood, _ := s.Connect(t, owner.Token, "")
		for range 30 {
			flood.Send(t, frame)
		}
		if code := flood.Ended(t); code != websocket.StatusPolicyViolation {
			t.Fatalf("a flood of frames ended the connection with %d, want %d", code, websocket.StatusPolicyViolation)
		}
	})
}
