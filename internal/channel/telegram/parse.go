package telegram

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Received is one customer message read from an update, in the terms the
// inbound pipeline needs.
type Received struct {
	UpdateID  int64
	ChatID    int64
	MessageID int64
	// Edited marks a new version of a message received before: the same
	// chat and message id, with its new text.
	Edited bool
	// FromBot marks a message a bot sent, such as the inbox's own bot
	// answering in a business chat: not a customer's words.
	FromBot  bool
	SenderID int64
	Name     string
	Username string
	Language string
	Text     string
	Files    []FileRef
	SentAt   time.Time
}

// ExternalID names the message on the platform. It is the same whether
// the update came by webhook or by polling, so a message read both ways,
// or delivered twice, is stored once.
func (r Received) ExternalID() string {
	return strconv.FormatInt(r.ChatID, 10) + ":" + strconv.FormatInt(r.MessageID, 10)
}

// FileRef is a file attached to a message, to be fetched with getFile.
type FileRef struct {
	FileID      string
	Name        string
	ContentType string
	Size        int64
}

// maxUpdate bounds one update's JSON: the Bot API's largest messages are
// well below it.
const maxUpdate = 1 << 20

// Parse reads one update as the Bot API sends it to a webhook or lists it
// in getUpdates. It returns the customer messages in it: none for an
// update Sahay does not handle (a group's message, a callback query, a
// member change), which is not an error. A body that is not an update is.
func Parse(raw []byte) ([]Received, error) {
	if len(raw) > maxUpdate {
		return nil, fmt.Errorf("telegram: update of %d bytes is over %d", len(raw), maxUpdate)
	}
	var u Update
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&u); err != nil {
		return nil, fmt.Errorf("telegram: update: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("telegram: update: data after the JSON object")
	}
	return u.Received()
}

// Received returns the customer messages in an update; see [Parse].
func (u *Update) Received() ([]Received, error) {
	if u.UpdateID <= 0 {
		return nil, fmt.Errorf("telegram: update without a positive update_id")
	}
	m, edited := u.Message, false
	switch {
	case u.Message != nil:
	case u.BusinessMessage != nil:
		m = u.BusinessMessage
	case u.EditedMessage != nil:
		m, edited = u.EditedMessage, true
	case u.EditedBusinessMessage != nil:
		m, edited = u.EditedBusinessMessage, true
	default:
		return nil, nil
	}
	if m.MessageID <= 0 || m.Chat.ID == 0 {
		return nil, fmt.Errorf("telegram: update %d: message without message_id or chat", u.UpdateID)
	}
	if m.Chat.Type != "private" {
		return nil, nil
	}
	r := Received{
		UpdateID:  u.UpdateID,
		ChatID:    m.Chat.ID,
		MessageID: m.MessageID,
		Edited:    edited,
		SentAt:    time.Unix(m.Date, 0).UTC(),
		Text:      m.text(),
		Files:     m.files(),
		Name:      strings.TrimSpace(m.Chat.FirstName + " " + m.Chat.LastName),
		Username:  m.Chat.Username,
	}
	if edited && m.EditDate > 0 {
		r.SentAt = time.Unix(m.EditDate, 0).UTC()
	}
	if m.From != nil {
		r.SenderID = m.From.ID
		r.FromBot = m.From.IsBot
		r.Language = m.From.LanguageCode
		if !m.From.IsBot {
			r.Name = strings.TrimSpace(m.From.FirstName + " " + m.From.LastName)
			r.Username = m.From.Username
		}
	}
	if r.Text == "" && len(r.Files) == 0 {
		// A kind of message Sahay cannot show (a poll, a game, a dice):
		// say so rather than drop what the customer sent.
		r.Text = "[unsupported Telegram message]"
	}
	return []Received{r}, nil
}

// text is what the message says: its text or caption, and a written form
// of a location, a shared contact or a sticker.
func (m *Message) text() string {
	parts := []string{}
	if m.Text != "" {
		parts = append(parts, m.Text)
	}
	if m.Caption != "" {
		parts = append(parts, m.Caption)
	}
	if l := m.Location; l != nil {
		parts = append(parts, fmt.Sprintf("📍 %.6f, %.6f https://www.openstreetmap.org/?mlat=%.6f&mlon=%.6f#map=17/%.6f/%.6f",
			l.Latitude, l.Longitude, l.Latitude, l.Longitude, l.Latitude, l.Longitude))
	}
	if c := m.Contact; c != nil {
		parts = append(parts, strings.TrimSpace("👤 "+strings.TrimSpace(c.FirstName+" "+c.LastName)+" "+c.PhoneNumber))
	}
	if s := m.Sticker; s != nil && s.Emoji != "" {
		parts = append(parts, s.Emoji)
	}
	return strings.Join(parts, "\n")
}

// files lists the message's files. Of a photo's sizes it takes the
// largest, the last one the Bot API lists.
func (m *Message) files() []FileRef {
	var fs []FileRef
	if n := len(m.Photo); n > 0 {
		p := m.Photo[n-1]
		fs = append(fs, FileRef{FileID: p.FileID, Name: "photo-" + safeName(p.FileUniqueID) + ".jpg", ContentType: "image/jpeg", Size: p.FileSize})
	}
	if d := m.Document; d != nil {
		fs = append(fs, FileRef{FileID: d.FileID, Name: fileName(d.FileName, "file-"+safeName(d.FileUniqueID)), ContentType: orDefault(d.MIMEType, "application/octet-stream"), Size: d.FileSize})
	}
	if v := m.Voice; v != nil {
		fs = append(fs, FileRef{FileID: v.FileID, Name: "voice-" + safeName(v.FileUniqueID) + ".ogg", ContentType: orDefault(v.MIMEType, "audio/ogg"), Size: v.FileSize})
	}
	if a := m.Audio; a != nil {
		fs = append(fs, FileRef{FileID: a.FileID, Name: fileName(a.FileName, "audio-"+safeName(a.FileUniqueID)+".mp3"), ContentType: orDefault(a.MIMEType, "audio/mpeg"), Size: a.FileSize})
	}
	if v := m.Video; v != nil {
		fs = append(fs, FileRef{FileID: v.FileID, Name: fileName(v.FileName, "video-"+safeName(v.FileUniqueID)+".mp4"), ContentType: orDefault(v.MIMEType, "video/mp4"), Size: v.FileSize})
	}
	// A file without an id cannot be fetched: leave it out.
	kept := fs[:0]
	for _, f := range fs {
		if f.FileID != "" {
			kept = append(kept, f)
		}
	}
	return kept
}

// safeName keeps the characters of a platform id that are safe in a file
// name.
func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		}
		if b.Len() >= 64 {
			break
		}
	}
	if b.Len() == 0 {
		return "telegram"
	}
	return b.String()
}

// fileName is the name a customer gave a file, without any folder part,
// control characters or invalid UTF-8, at most 200 bytes; def when nothing
// is left of it.
func fileName(name, def string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, "/\\"); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	for len(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == ".." {
		return def
	}
	return name
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
