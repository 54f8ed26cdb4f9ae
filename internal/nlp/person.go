package nlp

// asksForPerson reports whether the message asks for a person: with a
// phrase that does on its own ("real person"), or, within one clause, by
// naming a person with talk that is not told as past ("কথা বলতে চাই",
// "baat karao", "एजेंट से बात") or right beside a request ("agent please",
// "मुझे एजेंट चाहिए"). A person only mentioned ("is the agent app free?",
// "I spoke to your agent", "agent se baat hui thi") is not.
func (r *reader) asksForPerson() bool {
	for i := range r.hits {
		p := &r.hits[i]
		if p.e.has(tagHuman) && !p.negated {
			return true
		}
		if !p.e.has(tagPerson) || p.pos < 0 {
			continue
		}
		talk, request, past := false, false, false
		for j := range r.hits {
			h := &r.hits[j]
			if h.pos < 0 || r.tokens[h.pos].clause != r.tokens[p.pos].clause {
				continue
			}
			talk = talk || h.e.has(tagTalk)
			past = past || h.e.has(tagPast)
			if h.e.has(tagRequest) {
				request = true
				if h.pos >= p.end && h.pos-p.end <= 2 || p.pos >= h.end && p.pos-h.end <= 2 {
					// Right beside the person: "agent please".
					talk = true
				}
			}
		}
		// "এজেন্ট সে বাত", "manush er sathe kotha" ask even without a
		// verb; "agent se baat hui thi" tells.
		if talk && (request || !past) || r.onlyAsks() {
			return true
		}
	}
	// "Is any agent online? I need to talk to one.": the request to talk
	// may follow the person in a clause of its own.
	personClause := -1
	talkClause, requestClause := -1, -1
	for i := range r.hits {
		h := &r.hits[i]
		if h.pos < 0 {
			continue
		}
		c := r.tokens[h.pos].clause
		switch {
		case h.e.has(tagPerson):
			if personClause < 0 {
				personClause = c
			}
		case personClause >= 0 && c > personClause:
			if h.e.has(tagTalk) {
				talkClause = c
			}
			if h.e.has(tagRequest) {
				requestClause = c
			}
			if talkClause == requestClause && talkClause >= 0 {
				return true
			}
		}
	}
	return false
}

// onlyAsks reports whether every word of a short message is part of an
// entry, as in "agent please" or "মানুষ চাই".
func (r *reader) onlyAsks() bool {
	if len(r.tokens) > 4 {
		return false
	}
	covered := 0
	for _, h := range r.hits {
		if h.pos >= 0 {
			covered += h.end - h.pos
		}
	}
	return covered == len(r.tokens)
}
