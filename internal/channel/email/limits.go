package email

import (
	"strconv"
	"strings"
	"time"

	"github.com/sahayhq/sahay/internal/ratelimit"
)

// senderRate is how much mail one sender may bring into an inbox: a burst,
// then one a minute. A mail loop or a flood stops there; what is over the
// limit stays in the mailbox, unread by Sahay.
var senderRate = ratelimit.Rate{Burst: 20, Every: time.Minute}

// senderLimits keeps a bucket per inbox and sender address.
type senderLimits struct {
	l *ratelimit.Limiter
}

func newSenderLimits() *senderLimits {
	return &senderLimits{l: ratelimit.New(senderRate, 10000)}
}

// allow spends a token of the sender of a mail in an inbox. A mail whose
// sender cannot be read is let through: the parser decides what it is.
func (s *senderLimits) allow(inboxID int64, raw []byte) bool {
	h, err := readHeader(raw)
	if err != nil {
		return true
	}
	from := addresses(h, "From")
	if len(from) == 0 {
		return true
	}
	ok, _ := s.l.Take(strconv.FormatInt(inboxID, 10) + " " + strings.ToLower(from[0].Address))
	return ok
}
