package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
)

func (s *Server) listConversations(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	lq, err := listQuery(r)
	if err != nil {
		return err
	}
	list, next, err := s.svc.ListConversations(r.Context(), a, lq)
	if err != nil {
		return err
	}
	return httpx.OK(w, map[string]any{"items": list, "next_cursor": next})
}

// listQuery reads the conversation list's filters from the query string.
func listQuery(r *http.Request) (core.ListQuery, error) {
	q := r.URL.Query()
	lq := core.ListQuery{Status: q.Get("status"), Assignee: q.Get("assignee"), Label: q.Get("label"), Channel: q.Get("channel"),
		Mood: q.Get("mood"), Sort: q.Get("sort"), Cursor: q.Get("cursor")}
	var err error
	for name, dst := range map[string]*int64{"team": &lq.TeamID, "inbox": &lq.InboxID, "contact": &lq.Contact} {
		if *dst, err = httpx.QueryInt(r, name); err != nil {
			return lq, err
		}
	}
	limit, err := httpx.QueryInt(r, "limit")
	if err != nil {
		return lq, err
	}
	if limit > 100 {
		return lq, sahay.Invalid("limit is at most 100")
	}
	lq.Limit = int(limit)
	return lq, nil
}

func (s *Server) conversationCounts(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	c, err := s.svc.Counts(r.Context(), a)
	return one(w, http.StatusOK, c, err)
}

func (s *Server) bulkConversations(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	var in core.BulkUpdate
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	n, err := s.svc.Bulk(r.Context(), a, in)
	return one(w, http.StatusOK, map[string]int{"updated": n}, err)
}

func (s *Server) getConversation(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.svc.Conversation(r.Context(), a, id)
	return one(w, http.StatusOK, c, err)
}

func (s *Server) updateConversation(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return withID(w, r, func(id int64, in core.ConversationUpdate) (any, error) {
		return s.svc.UpdateConversation(r.Context(), a, id, in)
	})
}

func (s *Server) setLabels(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	type labels struct {
		Labels []string `json:"labels"`
	}
	return withID(w, r, func(id int64, in labels) (any, error) { return s.svc.SetLabels(r.Context(), a, id, in.Labels) })
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	before, err := httpx.QueryInt(r, "before")
	if err != nil {
		return err
	}
	limit, err := httpx.QueryInt(r, "limit")
	if err != nil {
		return err
	}
	if limit > 200 {
		return sahay.Invalid("limit is at most 200")
	}
	msgs, err := s.svc.Messages(r.Context(), a, id, before, int(limit))
	return items(w, msgs, err)
}

func (s *Server) postMessage(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in core.NewMessage
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if in, err = readMultipartMessage(w, r); err != nil {
			return err
		}
	} else if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	m, err := s.svc.PostMessage(r.Context(), a, id, in)
	return one(w, http.StatusCreated, m, err)
}

// readMultipartMessage reads a reply with attachments: fields "content",
// "private" and "email" (the email object as JSON), and up to five "file"
// parts.
func readMultipartMessage(w http.ResponseWriter, r *http.Request) (core.NewMessage, error) {
	var in core.NewMessage
	err := readMultipart(w, r, &in.Files, func(name string, v []byte) error {
		switch name {
		case "content":
			in.Content = string(v)
		case "private":
			in.Private = string(v) == "true" || string(v) == "1"
		case "email":
			return decodeEmailField(v, &in.Email)
		case "allow_personal_data":
			in.AllowPersonalData = string(v) == "true" || string(v) == "1"
		default:
			return sahay.BadRequest("unknown form field %q", name)
		}
		return nil
	})
	return in, err
}

// readMultipartConversation reads a new conversation with attachments:
// the fields of the JSON body as form fields ("email" as JSON), and up to
// five "file" parts.
func readMultipartConversation(w http.ResponseWriter, r *http.Request) (core.NewConversation, error) {
	var in core.NewConversation
	err := readMultipart(w, r, &in.Files, func(name string, v []byte) error {
		switch name {
		case "inbox_id", "contact_id":
			n, err := strconv.ParseInt(string(v), 10, 64)
			if err != nil || n < 0 {
				return sahay.Invalid("%s must be an id", name)
			}
			if name == "inbox_id" {
				in.InboxID = n
			} else {
				in.ContactID = n
			}
		case "to":
			in.To = string(v)
		case "content":
			in.Content = string(v)
		case "email":
			return decodeEmailField(v, &in.Email)
		default:
			return sahay.BadRequest("unknown form field %q", name)
		}
		return nil
	})
	return in, err
}

func decodeEmailField(v []byte, dst **core.EmailFields) error {
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return sahay.Invalid("email must be a JSON object such as {\"subject\":\"…\",\"cc\":[],\"bcc\":[]}: %v", err)
	}
	return nil
}

// readMultipart reads a multipart/form-data body: "file" parts into
// files, every other field, at most a message's length, through field.
func readMultipart(w http.ResponseWriter, r *http.Request, files *[]core.Upload, field func(name string, v []byte) error) error {
	r.Body = http.MaxBytesReader(w, r.Body, core.MaxAttachments*core.MaxAttachmentSize+httpx.MaxBody)
	mr, err := r.MultipartReader()
	if err != nil {
		return sahay.BadRequest("malformed multipart body: %v", err)
	}
	// Parts are spooled to memory up to the size limits; the service checks
	// types and sizes before anything is stored.
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return sahay.Errorf(sahay.ETOOLARGE, "request body is too large")
		}
		if err != nil {
			return sahay.BadRequest("malformed multipart body: %v", err)
		}
		limit := int64(core.MaxContentBytes + 1)
		if p.FormName() == "file" {
			limit = core.MaxAttachmentSize + 1
		}
		b, err := io.ReadAll(io.LimitReader(p, limit))
		if err != nil {
			if errors.As(err, &tooBig) {
				return sahay.Errorf(sahay.ETOOLARGE, "request body is too large")
			}
			return sahay.BadRequest("malformed multipart body: %v", err)
		}
		if p.FormName() == "file" {
			*files = append(*files, core.Upload{FileName: p.FileName(), ContentType: p.Header.Get("Content-Type"), Body: bytes.NewReader(b)})
			continue
		}
		if err := field(p.FormName(), b); err != nil {
			return err
		}
	}
}

// startConversation opens an outgoing conversation: an agent's first
// email to a customer.
func (s *Server) startConversation(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	var in core.NewConversation
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if in, err = readMultipartConversation(w, r); err != nil {
			return err
		}
	} else if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, m, err := s.svc.StartOutgoing(r.Context(), a, in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, NewConversationResult{Conversation: c, Message: m})
}

// NewConversationResult is the answer to starting a conversation.
type NewConversationResult struct {
	Conversation *sahay.Conversation `json:"conversation"`
	Message      *sahay.Message      `json:"message"`
}

func (s *Server) getAttachment(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	att, f, err := s.svc.OpenAttachment(r.Context(), a, id)
	if err != nil {
		return err
	}
	defer f.Close()
	httpx.ServeAttachment(w, r, att, f)
	return nil
}

func (s *Server) retryMessage(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	m, err := s.svc.RetryMessage(r.Context(), a, id)
	return one(w, http.StatusOK, m, err)
}

// PrivateReplyRequest answers a public comment privately.
type PrivateReplyRequest struct {
	Content string `json:"content"`
}

func (s *Server) privateReply(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in PrivateReplyRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, m, err := s.svc.PrivateReply(r.Context(), a, id, in.Content)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, NewConversationResult{Conversation: c, Message: m})
}

// startCall calls the conversation's customer: the agent's phone first,
// then the customer's.
func (s *Server) startCall(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	m, err := s.svc.StartCall(r.Context(), a, id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, m)
}

// ModerateRequest hides, shows again or deletes a public comment.
type ModerateRequest struct {
	// Action is "hide", "unhide" or "delete".
	Action string `json:"action"`
}

func (s *Server) moderateMessage(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in ModerateRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	m, err := s.svc.ModerateComment(r.Context(), a, id, in.Action)
	return one(w, http.StatusOK, m, err)
}

func (s *Server) listTemplates(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	list, err := s.svc.Templates(r.Context(), a, id)
	return one(w, http.StatusOK, list, err)
}

func (s *Server) syncTemplates(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	list, err := s.svc.SyncTemplates(r.Context(), a, id)
	return one(w, http.StatusOK, list, err)
}

func (s *Server) search(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	res, err := s.svc.Search(r.Context(), a, r.URL.Query().Get("q"))
	return one(w, http.StatusOK, res, err)
}

func (s *Server) realtime(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return s.hub.Serve(w, r, a)
}

// typingRequest says whether the agent is typing.
type typingRequest struct {
	On bool `json:"on"`
}

// agentTyping shows or hides the typing indicator on the customer's side,
// on any channel that carries one ([core.Service.AgentTyping]).
func (s *Server) agentTyping(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var req typingRequest
	if err := httpx.Decode(w, r, &req); err != nil {
		return err
	}
	if err := s.svc.AgentTyping(r.Context(), a, id, req.On); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// seenRequest says how far the agent has read.
type seenRequest struct {
	Upto int64 `json:"upto"`
}

// agentSeen records how far the team has read a conversation and tells the
// customer where the channel shows it ([core.Service.AgentSeen]).
func (s *Server) agentSeen(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var req seenRequest
	if err := httpx.Decode(w, r, &req); err != nil {
		return err
	}
	if err := s.svc.AgentSeen(r.Context(), a, id, req.Upto); err != nil {
		return err
	}
	return httpx.NoContent(w)
}
