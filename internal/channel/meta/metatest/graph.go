package metatest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Template is a WhatsApp message template, as GET
// /{waba_id}/message_templates lists it.
type Template struct {
	ID         string      `json:"id"`
	Name       string      `json:"name"`
	Language   string      `json:"language"`
	Status     string      `json:"status"`
	Category   string      `json:"category"`
	Components []Component `json:"components"`
}

// Component is a part of a template: HEADER, BODY, FOOTER or BUTTONS.
type Component struct {
	Type    string   `json:"type"`
	Format  string   `json:"format,omitempty"`
	Text    string   `json:"text,omitempty"`
	Buttons []Button `json:"buttons,omitempty"`
}

// Button is a button of a template's BUTTONS component.
type Button struct {
	Type        string `json:"type"`
	Text        string `json:"text"`
	URL         string `json:"url,omitempty"`
	PhoneNumber string `json:"phone_number,omitempty"`
}

// AddTemplate adds a template to a WhatsApp Business account's list; an
// empty ID is given one.
func (s *Sim) AddTemplate(wabaID string, t Template) {
	if t.ID == "" {
		t.ID = s.id()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.templates[wabaID] = append(s.templates[wabaID], t)
}

// route answers a request that passed the token check and the failures.
func (s *Sim) route(w http.ResponseWriter, r Request) {
	parts := strings.Split(strings.Trim(r.Path, "/"), "/")
	switch {
	case r.Path == "/me/accounts" && r.Method == http.MethodGet:
		s.accounts(w, r)
	case len(parts) == 2 && r.Method == http.MethodPost && parts[1] == "subscribed_apps":
		s.subscribe(w, r, parts[0])
	case len(parts) == 1 && r.Method == http.MethodGet:
		s.get(w, r, parts[0])
	case len(parts) == 1 && r.Method == http.MethodPost:
		s.moderate(w, r)
	case len(parts) == 1 && r.Method == http.MethodDelete:
		writeJSON(w, http.StatusOK, map[string]any{"success": true})
	case len(parts) == 2 && r.Method == http.MethodPost && parts[1] == "messages":
		s.send(w, r)
	case len(parts) == 2 && r.Method == http.MethodPost && parts[1] == "media":
		s.upload(w, r, "file")
	case len(parts) == 2 && r.Method == http.MethodPost && parts[1] == "message_attachments":
		s.upload(w, r, "filedata")
	case len(parts) == 2 && r.Method == http.MethodGet && parts[1] == "message_templates":
		s.listTemplates(w, r, parts[0])
	case len(parts) == 2 && r.Method == http.MethodPost && (parts[1] == "replies" || parts[1] == "comments"):
		if r.Param("message") == "" {
			writeError(w, Failure{Code: 100, Message: "(#100) The parameter message is required"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": s.id()})
	default:
		writeError(w, Failure{Code: 2500, Message: "Unknown path components: " + r.Path})
	}
}

// get answers a media id with its URL, and any other registered object
// with the fields asked for.
func (s *Sim) get(w http.ResponseWriter, r Request, id string) {
	s.mu.Lock()
	m, isMedia := s.media[id]
	obj, isObject := s.objects[id]
	s.mu.Unlock()
	switch {
	case isMedia:
		sum := sha256.Sum256(m.Data)
		writeJSON(w, http.StatusOK, map[string]any{
			"messaging_product": "whatsapp", "url": s.Root + "/media-files/" + url.PathEscape(id),
			"mime_type": m.ContentType, "sha256": hex.EncodeToString(sum[:]), "file_size": len(m.Data), "id": id,
		})
	case isObject:
		out := map[string]any{"id": id}
		for _, f := range strings.Split(r.Query.Get("fields"), ",") {
			if v, ok := obj[f]; ok {
				out[f] = v
			}
		}
		writeJSON(w, http.StatusOK, out)
	default:
		writeError(w, Failure{Code: 100, Subcode: 33, Message: "Unsupported get request. Object with ID '" + id +
			"' does not exist, cannot be loaded due to missing permissions, or does not support this operation."})
	}
}

// send answers the Send API: WhatsApp's shape when the body names
// messaging_product, Messenger's and Instagram's otherwise.
func (s *Sim) send(w http.ResponseWriter, r Request) {
	if r.JSON == nil {
		writeError(w, Failure{Code: 100, Message: "(#100) The request body must be JSON"})
		return
	}
	if r.Param("messaging_product") != "" {
		s.sendWhatsApp(w, r)
		return
	}
	var recipient struct {
		ID        string `json:"id"`
		CommentID string `json:"comment_id"`
	}
	json.Unmarshal([]byte(r.Param("recipient")), &recipient)
	rid := recipient.ID
	if recipient.CommentID != "" {
		s.mu.Lock()
		rid = s.commenter[recipient.CommentID]
		s.mu.Unlock()
		if rid == "" {
			rid = "commenter-" + recipient.CommentID
		}
	}
	switch {
	case rid == "":
		writeError(w, Failure{Code: 100, Message: "(#100) param recipient must be non-empty."})
	case r.Param("sender_action") != "":
		writeJSON(w, http.StatusOK, map[string]any{"recipient_id": rid})
	case r.Param("message") == "":
		writeError(w, Failure{Code: 100, Message: "(#100) Must send either message or state"})
	default:
		writeJSON(w, http.StatusOK, map[string]any{"recipient_id": rid, "message_id": "m_" + s.id()})
	}
}

func (s *Sim) sendWhatsApp(w http.ResponseWriter, r Request) {
	if r.Param("messaging_product") != "whatsapp" {
		writeError(w, Failure{Code: 100, Message: "(#100) Invalid parameter messaging_product"})
		return
	}
	if r.Param("status") == "read" {
		writeJSON(w, http.StatusOK, map[string]any{"success": true})
		return
	}
	to, typ := r.Param("to"), r.Param("type")
	if typ == "" {
		typ = "text"
	}
	switch {
	case to == "":
		writeError(w, Failure{Code: 100, Message: "(#100) The parameter to is required."})
	case r.Param(typ) == "":
		writeError(w, Failure{Code: 100, Message: "(#100) The parameter " + typ + " is required."})
	default:
		writeJSON(w, http.StatusOK, map[string]any{
			"messaging_product": "whatsapp",
			"contacts":          []map[string]string{{"input": to, "wa_id": strings.TrimPrefix(to, "+")}},
			"messages":          []map[string]string{{"id": "wamid.SIM" + s.id()}},
		})
	}
}

// upload keeps a file sent to /{id}/media (WhatsApp, field "file") or
// /{id}/message_attachments (Messenger, field "filedata") as media.
func (s *Sim) upload(w http.ResponseWriter, r Request, field string) {
	f, ok := r.Files[field]
	if !ok {
		writeError(w, Failure{Code: 100, Message: "(#100) The parameter " + field + " is required"})
		return
	}
	if field == "file" && r.Form.Get("messaging_product") != "whatsapp" {
		writeError(w, Failure{Code: 100, Message: "(#100) The parameter messaging_product is required."})
		return
	}
	if field == "filedata" && r.Form.Get("message") == "" {
		writeError(w, Failure{Code: 100, Message: "(#100) The parameter message is required"})
		return
	}
	if f.ContentType == "" || f.ContentType == "application/octet-stream" {
		if t := r.Form.Get("type"); t != "" {
			f.ContentType = t
		}
	}
	id := s.id()
	s.mu.Lock()
	s.media[id] = f
	s.mu.Unlock()
	if field == "filedata" {
		writeJSON(w, http.StatusOK, map[string]any{"attachment_id": id})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id})
}

// moderate hides or shows a comment: POST /{comment_id} with hide or
// is_hidden.
func (s *Sim) moderate(w http.ResponseWriter, r Request) {
	v := r.Param("hide")
	if v == "" {
		v = r.Param("is_hidden")
	}
	if v != "true" && v != "false" {
		writeError(w, Failure{Code: 100, Message: "(#100) The parameter hide is required"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true})
}

// listTemplates pages a WhatsApp Business account's templates as Meta
// does: limit (25 by default), opaque after cursors, and a next link
// while more follow.
func (s *Sim) listTemplates(w http.ResponseWriter, r Request, wabaID string) {
	s.mu.Lock()
	all := append([]Template(nil), s.templates[wabaID]...)
	s.mu.Unlock()
	limit, err := strconv.Atoi(r.Query.Get("limit"))
	if err != nil || limit <= 0 {
		limit = 25
	}
	start := 0
	if after := r.Query.Get("after"); after != "" {
		b, err := base64.StdEncoding.DecodeString(after)
		n, err2 := strconv.Atoi(string(b))
		if err != nil || err2 != nil || n < 0 || n > len(all) {
			writeError(w, Failure{Code: 100, Message: "(#100) Invalid after cursor"})
			return
		}
		start = n
	}
	end := min(start+limit, len(all))
	page := map[string]any{"data": all[start:end]}
	if end > start {
		paging := map[string]any{"cursors": map[string]string{
			"before": cursor(start), "after": cursor(end),
		}}
		if end < len(all) {
			q := url.Values{"limit": {strconv.Itoa(limit)}, "after": {cursor(end)}}
			paging["next"] = s.URL + r.Path + "?" + q.Encode()
		}
		page["paging"] = paging
	}
	writeJSON(w, http.StatusOK, page)
}

func cursor(i int) string { return base64.StdEncoding.EncodeToString([]byte(strconv.Itoa(i))) }

// serveMedia serves a media file to a request with the token (checked
// before), as WhatsApp's media URLs need.
func (s *Sim) serveMedia(w http.ResponseWriter, id string) {
	s.mu.Lock()
	f, ok := s.media[id]
	s.mu.Unlock()
	serveFile(w, f, ok)
}

func (s *Sim) servePublic(w http.ResponseWriter, name string) {
	s.mu.Lock()
	f, ok := s.public[name]
	s.mu.Unlock()
	serveFile(w, f, ok)
}

func serveFile(w http.ResponseWriter, f File, ok bool) {
	if !ok {
		http.NotFound(w, nil)
		return
	}
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Data)))
	w.Write(f.Data)
}
