package email

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-msgauth/dkim"
	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
)

// DKIMPrivateKeyKey is the secret setting that holds the DKIM signing key.
const DKIMPrivateKeyKey = "dkim_private_key"

// DKIMSettings sign an inbox's outgoing mail with DKIM, when all three
// of the domain, the selector and the key are set. They are part of
// [Settings].
type DKIMSettings struct {
	// DKIMDomain is the d= of the signature: the domain whose DNS
	// publishes the public key, usually the address's own.
	DKIMDomain string `json:"dkim_domain,omitempty"`
	// DKIMSelector is the s= of the signature: the key is published at
	// <selector>._domainkey.<domain>.
	DKIMSelector string `json:"dkim_selector,omitempty"`
}

// dkimSettings are the settings the channel declares for DKIM.
var dkimSettings = []channel.Setting{
	{Key: "dkim_domain", Label: "DKIM domain", Type: "string",
		Help: "Sign outgoing mail with DKIM for this domain, usually the address's own (example.com). Leave empty when the SMTP server signs."},
	{Key: "dkim_selector", Label: "DKIM selector", Type: "string",
		Help: "The key's selector: its public key is the TXT record <selector>._domainkey.<domain>."},
	{Key: DKIMPrivateKeyKey, Label: "DKIM private key", Type: "string", Secret: true,
		Help: "The PEM private key (RSA of 1024 bits or more, or Ed25519) whose public key the DNS record holds."},
}

// dkimHeaders are the header fields a signature covers.
var dkimHeaders = []string{"From", "Reply-To", "Subject", "Date", "To", "Cc", "Message-Id", "In-Reply-To", "References",
	"Mime-Version", "Content-Type"}

// dkimOptions returns how an inbox signs its mail, or nil when it does
// not sign.
func dkimOptions(s Settings, secrets map[string]string) (*dkim.SignOptions, error) {
	key := secrets[DKIMPrivateKeyKey]
	if s.DKIMDomain == "" && s.DKIMSelector == "" && key == "" {
		return nil, nil
	}
	if s.DKIMDomain == "" || s.DKIMSelector == "" || key == "" {
		return nil, sahay.Invalid("settings.dkim_domain, settings.dkim_selector and settings.dkim_private_key are set together, or none of them")
	}
	if strings.ContainsAny(s.DKIMDomain, " ;=@/") || !strings.Contains(s.DKIMDomain, ".") {
		return nil, sahay.Invalid("settings.dkim_domain must be a domain, such as example.com")
	}
	if strings.ContainsAny(s.DKIMSelector, " ;=@/") {
		return nil, sahay.Invalid("settings.dkim_selector must be a DNS label, such as sahay")
	}
	signer, err := parseDKIMKey(key)
	if err != nil {
		return nil, sahay.Invalid("settings.dkim_private_key %v", err)
	}
	return &dkim.SignOptions{Domain: strings.ToLower(s.DKIMDomain), Selector: s.DKIMSelector, Signer: signer,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed,
		HeaderKeys: dkimHeaders}, nil
}

// parseDKIMKey reads a PEM private key: PKCS #1 RSA, or PKCS #8 RSA or
// Ed25519.
func parseDKIMKey(text string) (crypto.Signer, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(text)))
	if block == nil {
		// A key pasted into a one-line field loses its line breaks.
		block = pemOneLine(text)
	}
	if block == nil {
		return nil, errors.New("must be a PEM private key (-----BEGIN PRIVATE KEY-----)")
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("is a %q block, not a private key", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot be read: %v", err)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if k.N.BitLen() < 1024 {
			return nil, fmt.Errorf("is an RSA key of %d bits; DKIM wants 1024 or more (2048 is usual)", k.N.BitLen())
		}
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	}
	return nil, fmt.Errorf("is a %T; DKIM takes RSA or Ed25519", key)
}

// pemOneLine reads a PEM block whose line breaks were lost.
func pemOneLine(text string) *pem.Block {
	text = strings.TrimSpace(text)
	rest, ok := strings.CutPrefix(text, "-----BEGIN ")
	if !ok {
		return nil
	}
	kind, body, ok := strings.Cut(rest, "-----")
	if !ok {
		return nil
	}
	body, _, ok = strings.Cut(body, "-----END "+kind+"-----")
	if !ok {
		return nil
	}
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(body), ""))
	if err != nil {
		return nil
	}
	return &pem.Block{Type: kind, Bytes: der}
}

// signDKIM returns the mail with a DKIM-Signature header first.
func signDKIM(msg []byte, opts *dkim.SignOptions) ([]byte, error) {
	var out bytes.Buffer
	if err := dkim.Sign(&out, bytes.NewReader(msg), opts); err != nil {
		return nil, fmt.Errorf("email: DKIM signature: %w", err)
	}
	return out.Bytes(), nil
}
