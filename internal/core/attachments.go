package core

import (
	"context"
	"errors"
	"io"
	"mime"
	"path/filepath"
	"slices"
	"strings"
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

// Upload is a file an agent attaches to a reply.
type Upload struct {
	FileName    string
	ContentType string
	Body        io.Reader
}

// storeUploads checks and stores files, returning their attachments. On an
// error, files already stored are removed.
func (s *Service) storeUploads(ctx context.Context, uploads []Upload) ([]sahay.Attachment, error) {
	if len(uploads) > MaxAttachments {
		return nil, sahay.Invalid("at most %d attachments per message", MaxAttachments)
	}
	var out []sahay.Attachment
	for _, u := range uploads {
		name := filepath.Base(strings.ReplaceAll(u.FileName, "\\", "/"))
		if name == "." || name == "/" || !utf8.ValidString(name) || len(name) > 255 {
			s.dropBlobs(ctx, out)
			return nil, sahay.Invalid("attachment file name %q is not valid", u.FileName)
		}
		ct, _, err := mime.ParseMediaType(u.ContentType)
		if err != nil || !slices.Contains(allowedTypes, ct) {
			s.dropBlobs(ctx, out)
			return nil, sahay.Invalid("%s: files of type %q cannot be attached; allowed: images, PDF, text, audio, video, office documents, zip", name, u.ContentType)
		}
		key, size, err := s.blobs.Put(ctx, u.Body, MaxAttachmentSize)
		if errors.Is(err, blob.ErrTooLarge) {
			s.dropBlobs(ctx, out)
			return nil, sahay.Errorf(sahay.ETOOLARGE, "%s is larger than %d MB", name, MaxAttachmentSize>>20)
		}
		if err != nil {
			s.dropBlobs(ctx, out)
			return nil, err
		}
		out = append(out, sahay.Attachment{FileName: name, ContentType: ct, Size: size, StorageKey: key})
	}
	return out, nil
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
