package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
	"github.com/sahayhq/sahay/internal/nlp"
	"github.com/sahayhq/sahay/internal/ratelimit"
)

// maxAnalyzeBody bounds the body of POST /api/v1/analyze: a message, not a
// document.
const maxAnalyzeBody = 16 << 10

// analyzeRate bounds the analyses one user asks for: each is CPU on the
// server (about a millisecond for the longest text), and an integration
// analysing its messages one by one stays well under it.
var analyzeRate = ratelimit.Rate{Burst: 120, Every: 250 * time.Millisecond}

// analyzeRequest is the body of POST /api/v1/analyze.
type analyzeRequest struct {
	Text string `json:"text"`
}

// analyze returns what the analyzer reads in a text: the analysis every
// incoming message gets.
func (s *Server) analyze(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	if err := s.analyses.Allow(strconv.FormatInt(a.User.ID, 10), "analysis requests"); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxAnalyzeBody)
	var in analyzeRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		if sahay.ErrorCode(err) == sahay.ETOOLARGE {
			return sahay.Errorf(sahay.ETOOLARGE, "request body is larger than %d bytes", maxAnalyzeBody)
		}
		return err
	}
	if strings.TrimSpace(in.Text) == "" {
		return sahay.BadRequest("text is empty: send {\"text\": \"the message\"}")
	}
	return httpx.OK(w, nlp.Analyze(in.Text))
}
