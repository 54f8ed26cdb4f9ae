package instagram

import (
	"context"
	"net/url"
	"strings"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/meta"
)

var _ channel.Profiler = (*Adapter)(nil)

// Profile implements [channel.Profiler]: the name, or else the @username,
// Instagram shows of the person a scoped id stands for.
func (a *Adapter) Profile(ctx context.Context, inbox *sahay.Inbox, igsid string) (channel.Profile, error) {
	c, _, err := a.client(inbox)
	if err != nil {
		return channel.Profile{}, channel.Permanent(err)
	}
	var p struct {
		Name     string `json:"name"`
		Username string `json:"username"`
	}
	if err := c.Do(ctx, "GET", meta.Path(igsid), url.Values{"fields": {"name,username"}}, nil, &p); err != nil {
		return channel.Profile{}, err
	}
	name := strings.TrimSpace(p.Name)
	if name == "" && strings.TrimSpace(p.Username) != "" {
		name = "@" + strings.TrimSpace(p.Username)
	}
	return channel.Profile{Name: name}, nil
}
