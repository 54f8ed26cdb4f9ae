package webpush

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// delivery is a push message as the push service accepted it.
type delivery struct {
	header  http.Header
	claims  vapidClaims
	payload []byte
}

// pushService plays a push service for one browser subscribed with one VAPID
// key. It checks each request as a push service would, decrypts it as the
// browser would, and answers with the status that ends the endpoint's path
// (201 if none), so tests choose the answer through the endpoint.
type pushService struct {
	*httptest.Server
	browser  browser
	vapidKey string
	got      chan delivery
}

func newPushService(t *testing.T, vapid *VAPID) (*pushService, Subscription) {
	t.Helper()
	p := &pushService{vapidKey: vapid.PublicKey(), got: make(chan delivery, 1)}
	p.Server = httptest.NewTLSServer(p)
	t.Cleanup(p.Close)
	var sub Subscription
	p.browser, sub = newBrowser(t, p.URL+"/push/JzLQ3raZJfFBR0aqvOMsLrt54w4rJUsV")
	return p, sub
}

func (p *pushService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d, err := p.accept(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	status, err := strconv.Atoi(path.Base(r.URL.Path))
	if err != nil {
		status = http.StatusCreated
	}
	if status < 300 {
		p.got <- d
	}
	w.WriteHeader(status)
	if status >= 300 {
		fmt.Fprintln(w, "refused as the test asked")
	}
}

// accept checks a request as RFC 8030, 8291 and 8292 ask a push service to.
func (p *pushService) accept(r *http.Request) (delivery, error) {
	d := delivery{header: r.Header}
	if r.Method != http.MethodPost {
		return d, fmt.Errorf("method %s, want POST", r.Method)
	}
	if ce := r.Header.Values("Content-Encoding"); len(ce) != 1 || ce[0] != "aes128gcm" {
		return d, fmt.Errorf("Content-Encoding %q, want exactly aes128gcm", ce)
	}
	if ttl, err := strconv.Atoi(r.Header.Get("TTL")); err != nil || ttl < 0 {
		return d, fmt.Errorf("TTL %q, want whole seconds", r.Header.Get("TTL"))
	}
	claims, k, err := verifyVAPID(r.Header.Get("Authorization"))
	if err != nil {
		return d, fmt.Errorf("VAPID: %w", err)
	}
	if k != p.vapidKey {
		return d, errors.New("VAPID key is not the one the browser subscribed with")
	}
	if claims.Aud != p.URL {
		return d, fmt.Errorf("aud %q, want the origin %q", claims.Aud, p.URL)
	}
	if lifetime := time.Until(time.Unix(claims.Exp, 0)); lifetime <= 0 || lifetime > maxTokenLifetime {
		return d, fmt.Errorf("exp is %s away, want within 24h", lifetime)
	}
	d.claims = claims
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return d, err
	}
	if len(body) > maxBody {
		return d, errors.New("body exceeds 4096 bytes")
	}
	if d.payload, err = p.browser.decrypt(body); err != nil {
		return d, fmt.Errorf("browser cannot decrypt: %w", err)
	}
	return d, nil
}

func TestSendDeliversToBrowser(t *testing.T) {
	tests := []struct {
		name        string
		ttl         time.Duration
		urgency     string
		wantTTL     string
		wantUrgency []string
	}{
		{"defaults", 0, "", "86400", nil},
		{"urgent and short-lived", 90 * time.Second, "high", "90", []string{"high"}},
		{"TTL rounds down to seconds", 1500 * time.Millisecond, "very-low", "1", []string{"very-low"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vapid := mustVAPID(t)
			service, sub := newPushService(t, vapid)
			sender := &Sender{Client: service.Client(), VAPID: vapid, TTL: tt.ttl}
			payload := `{"title":"New reply","body":"আপনার টিকিটের উত্তর এসেছে","url":"/c/42"}`

			if err := sender.Send(context.Background(), sub, []byte(payload), tt.urgency); err != nil {
				t.Fatal(err)
			}
			d := <-service.got
			if string(d.payload) != payload {
				t.Errorf("browser got %q, want %q", d.payload, payload)
			}
			if got := d.header.Get("TTL"); got != tt.wantTTL {
				t.Errorf("TTL = %s, want %s", got, tt.wantTTL)
			}
			if got := d.header.Values("Urgency"); !slices.Equal(got, tt.wantUrgency) {
				t.Errorf("Urgency = %q, want %q", got, tt.wantUrgency)
			}
			if got := d.header.Get("Content-Type"); got != "application/octet-stream" {
				t.Errorf("Content-Type = %q, want application/octet-stream", got)
			}
			if d.claims.Sub != vapid.Subject {
				t.Errorf("sub = %q, want %q", d.claims.Sub, vapid.Subject)
			}
		})
	}
}

func TestSendReportsRefusals(t *testing.T) {
	tests := []struct {
		status     int
		wantGone   bool
		wantStatus int // of the *StatusError; 0 for none
	}{
		{http.StatusCreated, false, 0},
		{http.StatusAccepted, false, 0},
		{http.StatusNotFound, true, 0},
		{http.StatusGone, true, 0},
		{http.StatusForbidden, false, http.StatusForbidden},
		{http.StatusRequestEntityTooLarge, false, http.StatusRequestEntityTooLarge},
		{http.StatusTooManyRequests, false, http.StatusTooManyRequests},
		{http.StatusInternalServerError, false, http.StatusInternalServerError},
	}
	vapid := mustVAPID(t)
	service, sub := newPushService(t, vapid)
	sender := &Sender{Client: service.Client(), VAPID: vapid}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			answering := sub
			answering.Endpoint += "/" + strconv.Itoa(tt.status)
			err := sender.Send(context.Background(), answering, []byte("hi"), "normal")
			if tt.status < 300 {
				if err != nil {
					t.Fatalf("Send = %v, want success", err)
				}
				<-service.got
				return
			}
			if err == nil {
				t.Fatal("Send succeeded, want an error")
			}
			if errors.Is(err, ErrGone) != tt.wantGone {
				t.Errorf("error %q: wraps ErrGone = %v, want %v", err, !tt.wantGone, tt.wantGone)
			}
			statusErr, ok := errors.AsType[*StatusError](err)
			switch {
			case tt.wantStatus == 0 && ok:
				t.Errorf("error %q is a StatusError", err)
			case tt.wantStatus != 0 && (!ok || statusErr.StatusCode != tt.wantStatus):
				t.Errorf("error %q is not a StatusError with code %d", err, tt.wantStatus)
			case ok && statusErr.Body != "refused as the test asked":
				t.Errorf("StatusError.Body = %q, want the push service's reason", statusErr.Body)
			}
			if strings.Contains(err.Error(), "JzLQ3raZ") {
				t.Errorf("error %q reveals the secret endpoint path", err)
			}
		})
	}
}

func TestSendRejectsBeforeSending(t *testing.T) {
	vapid := mustVAPID(t)
	service, good := newPushService(t, vapid)
	var requests atomic.Int32
	counting := service.Config.Handler
	service.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		counting.ServeHTTP(w, r)
	})

	badKeys := good
	badKeys.Keys.Auth = encodeBase64URL(make([]byte, 12))
	plainHTTP := good
	plainHTTP.Endpoint = strings.Replace(good.Endpoint, "https:", "http:", 1)

	tests := []struct {
		name      string
		sender    *Sender
		sub       Subscription
		payload   int
		urgency   string
		wantErr   error
		wantInMsg string
	}{
		{"no VAPID", &Sender{Client: service.Client()}, good, 1, "", nil, "no VAPID key"},
		{"unknown urgency", &Sender{Client: service.Client(), VAPID: vapid}, good, 1, "urgent", nil, `urgency "urgent"`},
		{"negative TTL", &Sender{Client: service.Client(), VAPID: vapid, TTL: -time.Second}, good, 1, "", nil, "negative TTL"},
		{"malformed keys", &Sender{Client: service.Client(), VAPID: vapid}, badKeys, 1, "", ErrInvalidSubscription, "auth is 12 bytes"},
		{"plain http endpoint", &Sender{Client: service.Client(), VAPID: vapid}, plainHTTP, 1, "", ErrInvalidSubscription, "https"},
		{"payload too large", &Sender{Client: service.Client(), VAPID: vapid}, good, MaxPayload + 1, "", ErrPayloadTooLarge, "at most 3993"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.sender.Send(context.Background(), tt.sub, make([]byte, tt.payload), tt.urgency)
			if err == nil {
				t.Fatal("Send succeeded, want an error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %q does not wrap %q", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantInMsg) {
				t.Errorf("error %q does not say %q", err, tt.wantInMsg)
			}
		})
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("the push service received %d requests, want none", n)
	}
}

func TestSendStopsWithContext(t *testing.T) {
	vapid := mustVAPID(t)
	service, sub := newPushService(t, vapid)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := (&Sender{Client: service.Client(), VAPID: vapid}).Send(ctx, sub, []byte("hi"), "")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Send = %v, want context.Canceled", err)
	}
	if strings.Contains(err.Error(), "JzLQ3raZ") {
		t.Errorf("error %q reveals the secret endpoint path", err)
	}
}
