package core

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/blob"
)

// Attachment limits.
const (
	MaxAttachmentSize = 25 << 20
	MaxAttachments    = 5
)

// allowedTypes are the attachment types accepted: what customers and agents
// send each other. Anything a browser would run (HTML, SVG, scripts) is out.
var allowedTypes = []string{
	"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic",
	"application/pdf", "text/plain", "text/csv",
	"audio/mpeg", "audio/ogg", "audio/aac", "audio/mp4", "audio/webm", "audio/wav",
	"video/mp4", "video/webm", "video/3gpp",
	"application/zip",
	"application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

// Upload is a file an agent attaches to a reply or a customer sends.
type Upload struct {
	FileName    string
	ContentType string
	Body        io.Reader
	// Allowed narrows the accepted types for this way in; nil accepts every
	// type in the allowed list above.
	Allowed []string
	// MaxSize lowers the size limit for this way in; 0 is
	// MaxAttachmentSize.
	MaxSize int64
}

// sniffHead is how much of a file [http.DetectContentType] reads.
const sniffHead = 512

// verifiable are the declared types whose content the sniffer recognizes:
// a file declared as one of these must be one.
var verifiable = map[string]bool{
	"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true,
	"application/pdf": true, "application/zip": true,
}

// FileType returns the type a file is stored and served as. The declared
// type, or when it says nothing the one the name's extension gives, must be
// one of allowed; the content, sniffed from its first bytes (head), must be
// what an image, PDF or zip declares, and nothing may be a web page. The
// agents' uploads and the website widget's both go through it.
func FileType(name, declared string, head []byte, allowed []string) (string, error) {
	ct, _, _ := mime.ParseMediaType(declared)
	if ct == "" || ct == "application/octet-stream" {
		ct, _, _ = mime.ParseMediaType(mime.TypeByExtension(strings.ToLower(filepath.Ext(name))))
	}
	if !slices.Contains(allowed, ct) {
		return "", sahay.Invalid("%s: files of type %q cannot be attached; allowed: %s", name, declared, strings.Join(allowed, ", "))
	}
	sniffed, _, _ := mime.ParseMediaType(http.DetectContentType(head))
	switch {
	case sniffed == "text/html" || sniffed == "text/xml":
		return "", sahay.Invalid("%s: the file is a web page or XML, which cannot be attached", name)
	case verifiable[ct] && sniffed != ct:
		return "", sahay.Invalid("%s: the file's content is not %s", name, ct)
	}
	return ct, nil
}

// storeUploads checks and stores files, returning their attachments. On an
// error, files already stored are removed.
func (s *Service) storeUploads(ctx context.Context, uploads []Upload) ([]sahay.Attachment, error) {
	if len(uploads) > MaxAttachments {
		return nil, sahay.Invalid("at most %d attachments per message", MaxAttachments)
	}
	var out []sahay.Attachment
	for _, u := range uploads {
		att, err := s.storeUpload(ctx, u)
		if err != nil {
			s.dropBlobs(ctx, out)
			return nil, err
		}
		out = append(out, att)
	}
	return out, nil
}

func (s *Service) storeUpload(ctx context.Context, u Upload) (sahay.Attachment, error) {
	name := filepath.Base(strings.ReplaceAll(u.FileName, "\\", "/"))
	if _, ctl := firstControl(name, ""); name == "." || name == "/" || !utf8.ValidString(name) || len(name) > 255 || ctl {
		return sahay.Attachment{}, sahay.Invalid("attachment file name %q is not valid", u.FileName)
	}
	allowed := u.Allowed
	if allowed == nil {
		allowed = allowedTypes
	}
	body := bufio.NewReaderSize(u.Body, sniffHead)
	head, err := body.Peek(sniffHead)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return sahay.Attachment{}, err
	}
	ct, err := FileType(name, u.ContentType, head, allowed)
	if err != nil {
		return sahay.Attachment{}, err
	}
	limit := int64(MaxAttachmentSize)
	if u.MaxSize > 0 {
		limit = u.MaxSize
	}
	key, size, err := s.blobs.Put(ctx, body, limit)
	if errors.Is(err, blob.ErrTooLarge) {
		return sahay.Attachment{}, sahay.Errorf(sahay.ETOOLARGE, "%s is larger than %d MB", name, limit>>20)
	}
	if err != nil {
		return sahay.Attachment{}, err
	}
	return sahay.Attachment{FileName: name, ContentType: ct, Size: size, StorageKey: key}, nil
}

func (s *Service) dropBlobs(ctx context.Context, atts []sahay.Attachment) {
	for _, a := range atts {
		if err := s.blobs.Delete(ctx, a.StorageKey); err != nil {
			s.log.Warn("delete attachment file", "key", a.StorageKey, "err", err)
		}
	}
}

// OpenAttachment returns an attachment of a conversation the actor may see,
// with its file.
func (s *Service) OpenAttachment(ctx context.Context, a *Actor, id int64) (*sahay.Attachment, io.ReadSeekCloser, error) {
	att, conversationID, err := s.store.Attachment(ctx, a.AccountID(), id)
	if err != nil {
		return nil, nil, err
	}
	if _, err := s.visibleConversation(ctx, a, conversationID); err != nil {
		return nil, nil, sahay.NotFound("attachment")
	}
	f, err := s.blobs.Open(ctx, att.StorageKey)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, nil, sahay.NotFound("attachment file")
	}
	if err != nil {
		return nil, nil, err
	}
	return att, f, nil
}

// File links: an address at which a platform that fetches files itself
// (Twilio's MMS) reads one attachment, without signing in, for a short
// while. The link's token is the attachment's id, account and expiry
// sealed with the server's key, so it cannot be made or changed without
// it and says nothing to whoever reads it.

// FileLinkTTL is how long a file link works.
const FileLinkTTL = time.Hour

type fileLink struct {
	AttachmentID int64 `json:"a"`
	AccountID    int64 `json:"c"`
	Expires      int64 `json:"e"`
}

// FileLink returns a public address of an attachment of the account,
// valid for ttl.
func (s *Service) FileLink(accountID int64, att sahay.Attachment, ttl time.Duration) (string, error) {
	data, _ := json.Marshal(fileLink{AttachmentID: att.ID, AccountID: accountID, Expires: time.Now().Add(ttl).Unix()})
	sealed, err := s.box.Seal(data)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(s.publicURL, "/") + "/files/" + base64.RawURLEncoding.EncodeToString([]byte(sealed)) + "/" + url.PathEscape(att.FileName), nil
}

// OpenFileLink opens the attachment a link's token names. A token that
// is not one, has expired or names a removed file is not_found, saying no
// more.
func (s *Service) OpenFileLink(ctx context.Context, token string) (*sahay.Attachment, io.ReadSeekCloser, error) {
	sealed, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(token) > 1024 {
		return nil, nil, sahay.NotFound("file")
	}
	data, err := s.box.Open(string(sealed))
	var l fileLink
	if err != nil || json.Unmarshal(data, &l) != nil || time.Now().Unix() > l.Expires {
		return nil, nil, sahay.NotFound("file")
	}
	att, _, err := s.store.Attachment(ctx, l.AccountID, l.AttachmentID)
	if err != nil {
		return nil, nil, sahay.NotFound("file")
	}
	f, err := s.blobs.Open(ctx, att.StorageKey)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, nil, sahay.NotFound("file")
	}
	if err != nil {
		return nil, nil, err
	}
	return att, f, nil
}
