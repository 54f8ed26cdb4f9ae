package messenger

import (
	"context"
	"net/url"
	"strings"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/meta"
)

var _ channel.Profiler = (*Adapter)(nil)

// Profile implements [channel.Profiler]: the name Messenger shows of the
// person a page-scoped id stands for (the User Profile API).
func (a *Adapter) Profile(ctx context.Context, inbox *sahay.Inbox, psid string) (channel.Profile, error) {
	c, _, err := a.client(inbox)
	if err != nil {
		return channel.Profile{}, channel.Permanent(err)
	}
	var p struct {
		Name      string `json:"name"`
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
	}
	if err := c.Do(ctx, "GET", meta.Path(psid), url.Values{"fields": {"first_name,last_name,name"}}, nil, &p); err != nil {
		return channel.Profile{}, err
	}
	name := strings.TrimSpace(p.Name)
	if name == "" {
		name = strings.TrimSpace(p.FirstName + " " + p.LastName)
	}
	return channel.Profile{Name: name}, nil
}
