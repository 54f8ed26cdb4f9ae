package meta

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sahayhq/sahay/internal/channel"
)

// graphServer answers every request with status, headers and body.
func graphServer(t *testing.T, status int, header http.Header, body string) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return &Client{BaseURL: srv.URL, Token: "tok", HTTP: srv.Client()}
}

func graphError(code, subcode int, message string) string {
	return fmt.Sprintf(`{"error":{"message":%q,"type":"OAuthException","code":%d,"error_subcode":%d,"fbtrace_id":"AbCdEf"}}`, message, code, subcode)
}

func TestClassify(t *testing.T) {
	const (
		retry     = "retry"
		permanent = "permanent"
		throttle  = "throttle"
	)
	for _, tt := range []struct {
		name    string
		status  int
		header  http.Header
		body    string
		class   string
		after   time.Duration
		message string
	}{
		{"WhatsApp outside the window", 400, nil, `{"error":{"message":"(#131047) Re-engagement message","type":"OAuthException","code":131047,"error_data":{"messaging_product":"whatsapp","details":"Message failed to send because more than 24 hours have passed since the customer last replied to this number."},"fbtrace_id":"Az8or2yhqkZfEZ-_4Qn_Bam"}}`,
			permanent, 0, "outside the 24-hour window — send a template"},
		{"Messenger outside the window", 400, nil, graphError(10, 2018278, "(#10) This message is sent outside of allowed window."), permanent, 0, "outside the 24-hour messaging window"},
		{"Instagram outside the window", 400, nil, graphError(10, 2534022, "This message is sent outside of allowed window."), permanent, 0, "human agent tag extends the window to 7 days"},
		{"person unavailable", 400, nil, graphError(551, 1545041, "This person isn't available right now."), permanent, 0, "24-hour messaging window has closed"},
		{"expired token", 401, nil, graphError(190, 463, "Error validating access token: Session has expired"), permanent, 0, "the access token is invalid or expired — reconnect the inbox"},
		{"missing permission", 403, nil, graphError(10, 0, "(#10) Application does not have permission for this action"), permanent, 0, "lacks a permission"},
		{"permission 200", 403, nil, graphError(200, 0, "(#200) Permissions error"), permanent, 0, "lacks a permission"},
		{"invalid parameter", 400, nil, graphError(100, 2018001, "No matching user found"), permanent, 0, "refused a parameter"},
		{"undeliverable", 400, nil, graphError(131026, 0, "Message Undeliverable"), permanent, 0, "could not be delivered"},
		{"unsupported type", 400, nil, graphError(131051, 0, "Unsupported message type"), permanent, 0, "does not support this type"},
		{"spam limit", 400, nil, graphError(131048, 0, "Spam rate limit hit"), permanent, 0, "spam"},
		{"blocked", 400, nil, graphError(368, 1390008, "Temporarily blocked for policy violations"), permanent, 0, "blocked this account"},
		{"template", 400, nil, graphError(132001, 0, "Template name does not exist in the translation"), permanent, 0, "template was refused"},
		{"unknown 4xx", 400, nil, graphError(9999, 0, "Something new"), permanent, 0, "Meta refused the request (Meta error 9999: Something new"},
		{"app rate limit", 400, nil, graphError(4, 0, "(#4) Application request limit reached"), throttle, DefaultBackoff, "rate limiting"},
		{"user rate limit", 400, nil, graphError(17, 0, "User request limit reached"), throttle, DefaultBackoff, "rate limiting"},
		{"page rate limit", 400, nil, graphError(32, 0, "Page request limit reached"), throttle, DefaultBackoff, "rate limiting"},
		{"custom rate limit", 400, nil, graphError(613, 0, "Calls to this api have exceeded the rate limit."), throttle, DefaultBackoff, "rate limiting"},
		{"WABA rate limit", 400, nil, graphError(80007, 0, "Rate limit issues"), throttle, DefaultBackoff, "rate limiting"},
		{"BUC rate limit", 400, nil, graphError(80001, 0, "There have been too many calls to this Page account."), throttle, DefaultBackoff, "rate limiting"},
		{"WhatsApp throughput", 400, nil, graphError(130429, 0, "Rate limit hit"), throttle, ThroughputBackoff, "rate limiting"},
		{"pair rate", 400, nil, graphError(131056, 0, "(Business Account, Consumer Account) pair rate limit hit"), throttle, PairRateBackoff, "too many messages to this customer"},
		{"HTTP 429", 429, nil, `Too Many Requests`, throttle, DefaultBackoff, "after a pause (HTTP 429 Too Many Requests, POST /123/messages)"},
		{"Retry-After seconds", 429, http.Header{"Retry-After": {"12"}}, graphError(4, 0, "limit"), throttle, 12 * time.Second, "rate limiting"},
		{"usage header", 400, http.Header{"X-Business-Use-Case-Usage": {`{"112233":[{"type":"messenger","call_count":100,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":3}]}`}}, graphError(80006, 0, "limit"), throttle, 3 * time.Minute, "rate limiting"},
		{"server error", 500, nil, graphError(2, 0, "Service temporarily unavailable"), retry, 0, "temporarily unavailable"},
		{"bad gateway page", 502, nil, `<html>Bad Gateway</html>`, retry, 0, "temporarily unavailable: the request is repeated later (HTTP 502 Bad Gateway"},
		{"WhatsApp something went wrong", 500, nil, graphError(131000, 0, "Something went wrong"), retry, 0, "temporarily unavailable"},
		{"transient 400", 400, nil, `{"error":{"message":"An unexpected error has occurred.","code":1,"is_transient":true}}`, retry, 0, "temporarily unavailable"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := graphServer(t, tt.status, tt.header, tt.body)
			err := c.Do(context.Background(), http.MethodPost, Path("123", "messages"), nil, map[string]string{"a": "b"}, nil)
			if err == nil {
				t.Fatal("no error")
			}
			var ra *channel.RetryAfterError
			isRA := errors.As(err, &ra)
			isPerm := errors.Is(err, channel.ErrPermanent)
			switch tt.class {
			case permanent:
				if !isPerm || isRA {
					t.Errorf("%v: want permanent", err)
				}
			case throttle:
				if !isRA || isPerm {
					t.Fatalf("%v: want retry after", err)
				}
				if ra.After != tt.after {
					t.Errorf("retry after %s, want %s", ra.After, tt.after)
				}
			case retry:
				if isRA || isPerm {
					t.Errorf("%v: want a plain retryable error", err)
				}
			}
			var ge *GraphError
			if !errors.As(err, &ge) || ge.Status != tt.status {
				t.Fatalf("%v: want a GraphError with status %d", err, tt.status)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error %q does not say %q", err, tt.message)
			}
			if !strings.Contains(err.Error(), "POST /123/messages") {
				t.Errorf("error %q does not name the request", err)
			}
		})
	}
}

func TestGraphErrorDetails(t *testing.T) {
	c := graphServer(t, 400, nil, `{"error":{"message":"(#131047) Re-engagement message","type":"OAuthException","code":131047,"error_data":{"messaging_product":"whatsapp","details":"Message failed to send because more than 24 hours have passed since the customer last replied to this number."},"fbtrace_id":"Az8or2yhqkZfEZ-_4Qn_Bam"}}`)
	err := c.Do(context.Background(), http.MethodPost, "/1/messages", nil, nil, nil)
	var ge *GraphError
	if !errors.As(err, &ge) {
		t.Fatal(err)
	}
	if ge.Code != 131047 || ge.Type != "OAuthException" || ge.TraceID != "Az8or2yhqkZfEZ-_4Qn_Bam" || !strings.HasPrefix(ge.Details, "Message failed to send") {
		t.Errorf("parsed %+v", ge)
	}
	want := "permanent failure: outside the 24-hour window — send a template (Meta error 131047: (#131047) Re-engagement message: Message failed to send"
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %q\nwant it to start %q", err, want)
	}
	// error_data is a string in some answers: it is ignored, not an error.
	c = graphServer(t, 400, nil, `{"error":{"message":"bad","code":100,"error_data":"{\"blame_field_specs\":[[\"message\"]]}","error_user_msg":"The message is empty."}}`)
	err = c.Do(context.Background(), http.MethodPost, "/1/messages", nil, nil, nil)
	if !errors.As(err, &ge) || ge.Details != "The message is empty." {
		t.Errorf("%v: want the user message as details", err)
	}
}

func TestClassifyLeavesMarkedErrors(t *testing.T) {
	ge := &GraphError{Status: 400, Code: 190}
	once := Classify(ge)
	if Classify(once) != once {
		t.Error("classifying twice wraps again")
	}
	plain := errors.New("dial tcp: connection refused")
	if Classify(plain) != plain || Classify(nil) != nil {
		t.Error("a non-Graph error changed")
	}
}

func TestReasonOfStatusErrors(t *testing.T) {
	// WhatsApp statuses carry the codes of send errors in their errors[].
	if got := Reason(131047, 0); got != ReasonWhatsAppWindow {
		t.Errorf("Reason(131047) = %q", got)
	}
	if got := Reason(424242, 0); got != "" {
		t.Errorf("Reason of an unknown code = %q, want empty", got)
	}
}
