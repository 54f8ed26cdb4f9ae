package meta

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"

	"github.com/sahayhq/sahay/internal/netguard"
)

// Fields "test connection" reads of each kind of object.
const (
	// TestFieldsPage suits a page or an Instagram account.
	TestFieldsPage = "id,name"
	// TestFieldsPhone suits a WhatsApp phone number.
	TestFieldsPhone = "display_phone_number,verified_name"
)

// Test reads fields of the object id ("test connection"), decoding them
// into out unless nil. Its errors say what an admin should fix: the token,
// the id, or the way to the host.
func (c *Client) Test(ctx context.Context, id, fields string, out any) error {
	if id == "" {
		return errors.New("no id to test: fill in the inbox's id")
	}
	err := c.Do(ctx, http.MethodGet, Path(id), url.Values{"fields": {fields}}, nil, out)
	if err == nil {
		return nil
	}
	return c.explain(id, err)
}

// explain turns a failed test call into what an admin should do.
func (c *Client) explain(id string, err error) error {
	host := c.base()
	if u, perr := url.Parse(host); perr == nil {
		host = u.Host
	}
	var (
		ge      *GraphError
		dnsErr  *net.DNSError
		certErr *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		hostErr x509.HostnameError
		invalid x509.CertificateInvalidError
		netErr  net.Error
		opErr   *net.OpError
	)
	switch {
	case errors.As(err, &ge):
		return explainGraph(id, ge)
	case errors.Is(err, netguard.ErrBlocked):
		return fmt.Errorf("%s is not a public address, and private addresses are not allowed: %w", host, err)
	case errors.As(err, &dnsErr):
		return fmt.Errorf("cannot find %s (DNS): check the API address: %w", host, err)
	case errors.As(err, &certErr), errors.As(err, &unknown), errors.As(err, &hostErr), errors.As(err, &invalid):
		return fmt.Errorf("the TLS certificate of %s is not trusted: %w", host, err)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Errorf("%s did not answer in time: %w", host, err)
	case errors.As(err, &opErr):
		return fmt.Errorf("cannot connect to %s: %w", host, err)
	}
	return fmt.Errorf("the test failed: %w", err)
}

func explainGraph(id string, ge *GraphError) error {
	var text string
	switch {
	case ge.Code == 190 || ge.Code == 102:
		text = "Meta refused the access token: it is invalid or expired — paste a new one"
	case ge.Code == 100 || ge.Code == 803 || ge.Status == http.StatusNotFound:
		text = fmt.Sprintf("Meta has no object %q this token can see: check the id, and that the token was made for it", id)
	case ge.Code == 10 || ge.Code >= 200 && ge.Code <= 299:
		text = fmt.Sprintf("the access token lacks a permission to read %q — grant it when making the token", id)
	default:
		return fmt.Errorf("the test failed: %w", ge)
	}
	return &explained{text: text + " (" + ge.detail() + ")", err: ge}
}

// explained is a Graph error told in an admin's words.
type explained struct {
	text string
	err  *GraphError
}

func (e *explained) Error() string { return e.text }
func (e *explained) Unwrap() error { return e.err }
