package core

import (
	"context"
	"encoding/json"
	"strings"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/store"
)

// jobContactProfile asks a channel's platform for the name of a customer
// known by id alone.
const jobContactProfile = "contact_profile"

type profilePayload struct {
	ContactID  int64  `json:"contact_id"`
	InboxID    int64  `json:"inbox_id"`
	ExternalID string `json:"external_id"`
}

// maxProfileName is the longest name taken from a platform, in bytes.
const maxProfileName = 200

// wantProfile queues a look-up of contact's name on inbox's platform when
// the platform can say it and the contact has none but their id.
func (s *Service) wantProfile(ctx context.Context, tx *store.Tx, inbox *sahay.Inbox, contact *sahay.Contact, in channel.Inbound) error {
	if in.Echo || !IsPlaceholderName(contact.Name, in.ContactID) {
		return nil
	}
	adapter, err := s.channels.Get(inbox.Channel)
	if err != nil {
		return nil
	}
	if _, ok := adapter.(channel.Profiler); !ok {
		return nil
	}
	payload, _ := json.Marshal(profilePayload{ContactID: contact.ID, InboxID: inbox.ID, ExternalID: in.ContactID})
	_, err = tx.EnqueueJob(ctx, contact.AccountID, jobContactProfile, string(payload), tx.Now())
	return err
}

// runContactProfile names a contact as their platform does, unless
// someone named them meanwhile.
func (s *Service) runContactProfile(ctx context.Context, job *store.Job) error {
	var p profilePayload
	if err := json.Unmarshal([]byte(job.Payload), &p); err != nil {
		return channel.Permanent(err)
	}
	inbox, err := s.InboxWithSecrets(ctx, job.AccountID, p.InboxID)
	if sahay.ErrorCode(err) == sahay.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	adapter, err := s.channels.Get(inbox.Channel)
	if err != nil {
		return nil
	}
	profiler, ok := adapter.(channel.Profiler)
	if !ok {
		return nil
	}
	callCtx, cancel := context.WithTimeout(ctx, platformTimeout)
	defer cancel()
	profile, err := profiler.Profile(callCtx, inbox, p.ExternalID)
	if err != nil {
		return err
	}
	name, err := cleanLine("name", profile.Name, maxProfileName)
	if err != nil || name == "" {
		return nil
	}
	return s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, job.AccountID); err != nil {
			return err
		}
		c, err := tx.Contact(ctx, job.AccountID, p.ContactID)
		if sahay.ErrorCode(err) == sahay.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		if !IsPlaceholderName(c.Name, p.ExternalID) || strings.TrimSpace(c.Name) == name {
			return nil
		}
		c.Name = name
		if err := tx.UpdateContact(ctx, c); err != nil {
			return err
		}
		return tx.Emit(ctx, c.AccountID, 0, 0, sahay.ContactUpdated{Contact: c})
	})
}
