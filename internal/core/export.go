package core

import (
	"context"

	sahay "github.com/sahayhq/sahay"
)

// ExportLimit bounds the rows of one export: a list narrower than this is
// exported whole, newest first; a wider one is cut after this many rows.
const ExportLimit = 10000

// exportPage is how many rows each read of an export takes.
const exportPage = 100

// ExportConversations calls each with successive pages of the conversations
// the query selects and the actor may see, in the list's order, up to
// [ExportLimit] in all. Filters are checked before the first call, so a bad
// query fails before anything is written.
func (s *Service) ExportConversations(ctx context.Context, a *Actor, q ListQuery, each func([]*sahay.Conversation) error) error {
	f, err := s.conversationFilter(ctx, a, q)
	if err != nil {
		return err
	}
	f.Cursor, f.Limit = "", exportPage
	for n := 0; ; {
		page, next, err := s.store.Conversations(ctx, f)
		if err != nil {
			return err
		}
		page = page[:min(len(page), ExportLimit-n)]
		if err := each(page); err != nil {
			return err
		}
		if n += len(page); next == "" || n >= ExportLimit {
			return nil
		}
		f.Cursor = next
	}
}

// ExportContacts calls each with successive pages of the contacts the query
// selects and the actor may see, newest first, up to [ExportLimit] in all.
func (s *Service) ExportContacts(ctx context.Context, a *Actor, q ContactQuery, each func([]*sahay.Contact) error) error {
	f, err := s.contactFilter(ctx, a, q)
	if err != nil {
		return err
	}
	f.Limit = exportPage
	for n := 0; ; {
		page, err := s.store.ListContacts(ctx, f)
		if err != nil {
			return err
		}
		full := len(page) == exportPage
		page = page[:min(len(page), ExportLimit-n)]
		if err := each(page); err != nil {
			return err
		}
		if n += len(page); !full || n >= ExportLimit {
			return nil
		}
		f.Before = page[len(page)-1].ID
	}
}
