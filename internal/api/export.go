package api

import (
	"encoding/csv"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
)

// csvExport streams a CSV download: UTF-8 with a byte order mark, so
// spreadsheet programs read Bengali and Hindi as such; rows quoted as RFC
// 4180 says, with CRLF line ends; and every cell a spreadsheet would run as
// a formula made text by a leading apostrophe. The header row is written
// with the first rows, so an error found before them is still answered as
// JSON.
type csvExport struct {
	w       http.ResponseWriter
	c       *csv.Writer
	name    string
	header  []string
	started bool
}

func newCSVExport(w http.ResponseWriter, name string, header []string) *csvExport {
	c := csv.NewWriter(w)
	c.UseCRLF = true
	return &csvExport{w: w, c: c, name: name, header: header}
}

func (e *csvExport) start() {
	if e.started {
		return
	}
	e.started = true
	h := e.w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{
		"filename": fmt.Sprintf("%s-%s.csv", e.name, time.Now().UTC().Format("20060102-1504"))}))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Sahay-Export-Limit", strconv.Itoa(core.ExportLimit))
	e.w.WriteHeader(http.StatusOK)
	e.w.Write([]byte("\ufeff"))
	e.c.Write(e.header)
}

// row writes one row of cells.
func (e *csvExport) row(cells []string) {
	e.start()
	for i, c := range cells {
		cells[i] = csvCell(c)
	}
	e.c.Write(cells)
}

// flush sends what is buffered and reports a failed write.
func (e *csvExport) flush() error {
	e.start()
	e.c.Flush()
	return e.c.Error()
}

// finish ends the download. An error after the first rows cannot become an
// error answer any more: the connection is cut, so the client sees an
// incomplete download rather than a short file that looks whole.
func (e *csvExport) finish(log *slog.Logger, err error) error {
	if err == nil {
		return e.flush()
	}
	if !e.started {
		return err
	}
	log.Error("export failed", "export", e.name, "err", err)
	panic(http.ErrAbortHandler)
}

// csvCell guards a cell against formula injection: a spreadsheet runs a
// cell starting with = + - @ (or a tab or carriage return before one) as a
// formula, so such a cell gets a leading apostrophe and stays text.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func csvTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func (s *Server) exportConversations(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	lq, err := listQuery(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	inboxes, err := s.svc.Inboxes(ctx, a)
	if err != nil {
		return err
	}
	users, err := s.svc.Users(ctx, a)
	if err != nil {
		return err
	}
	teams, err := s.svc.Teams(ctx, a)
	if err != nil {
		return err
	}
	inboxOf := map[int64]*sahay.Inbox{}
	for _, in := range inboxes {
		inboxOf[in.ID] = in
	}
	userName := map[int64]string{}
	for _, u := range users {
		userName[u.ID] = u.Name
	}
	teamName := map[int64]string{}
	for _, t := range teams {
		teamName[t.ID] = t.Name
	}
	out := newCSVExport(w, "conversations", []string{"id", "number", "status", "priority", "inbox", "channel",
		"contact_id", "contact_name", "contact_email", "contact_phone", "assignee", "team", "labels",
		"created_at", "last_activity_at", "waiting_since", "first_reply_at", "resolved_at", "last_message"})
	err = s.svc.ExportConversations(ctx, a, lq, func(page []*sahay.Conversation) error {
		for _, c := range page {
			var inbox, ch string
			if in := inboxOf[c.InboxID]; in != nil {
				inbox, ch = in.Name, in.Channel
			}
			var name, email, phone string
			if c.Contact != nil {
				name, email, phone = c.Contact.Name, c.Contact.Email, c.Contact.Phone
			}
			created, activity := c.CreatedAt, c.LastActivityAt
			out.row([]string{strconv.FormatInt(c.ID, 10), strconv.FormatInt(c.DisplayID, 10), c.Status, strconv.Itoa(c.Priority),
				inbox, ch, strconv.FormatInt(c.ContactID, 10), name, email, phone, userName[c.AssigneeID], teamName[c.TeamID],
				strings.Join(c.Labels, "; "), csvTime(&created), csvTime(&activity), csvTime(c.WaitingSince), csvTime(c.FirstReplyAt),
				csvTime(c.ResolvedAt), c.LastMessage})
		}
		return out.flush()
	})
	return out.finish(s.log, err)
}

func (s *Server) exportContacts(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	cq, err := contactQuery(r)
	if err != nil {
		return err
	}
	out := newCSVExport(w, "contacts", []string{"id", "name", "email", "phone", "identities", "created_at", "updated_at"})
	err = s.svc.ExportContacts(r.Context(), a, cq, func(page []*sahay.Contact) error {
		for _, c := range page {
			ids := make([]string, 0, len(c.Identities))
			for _, id := range c.Identities {
				ids = append(ids, id.Namespace+":"+id.ExternalID)
			}
			created, updated := c.CreatedAt, c.UpdatedAt
			out.row([]string{strconv.FormatInt(c.ID, 10), c.Name, c.Email, c.Phone, strings.Join(ids, "; "), csvTime(&created), csvTime(&updated)})
		}
		return out.flush()
	})
	return out.finish(s.log, err)
}
