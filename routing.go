package sahay

// Routing modes: how an inbox's or a team's new conversations find an
// agent (docs/routing.md).
const (
	// RoutingOff leaves conversations for agents to pick up.
	RoutingOff = "off"
	// RoutingRoundRobin gives each conversation to the eligible agent
	// whose turn it is: the one routed to longest ago.
	RoutingRoundRobin = "round_robin"
	// RoutingLeastLoaded gives each conversation to the eligible agent
	// with the fewest open conversations of its channel kind.
	RoutingLeastLoaded = "least_loaded"
)

// RoutingModes lists the routing modes.
var RoutingModes = []string{RoutingOff, RoutingRoundRobin, RoutingLeastLoaded}

// Channel kinds an agent's capacity is counted in: email inboxes' (whose
// channel declares a subject) and every other channel's chats.
const (
	KindChat  = "chat"
	KindEmail = "email"
)

// RoutingSettings say how an inbox's or a team's new conversations find
// an agent. A conversation with a team whose mode is not off is routed by
// the team's settings, among the team's members who work its inbox;
// any other by its inbox's.
type RoutingSettings struct {
	Mode string `json:"mode"`
	// OnlyAvailable routes to agents who are available (online by their
	// choice, with the dashboard open) and no one else; when false,
	// every member may be chosen.
	OnlyAvailable bool `json:"only_available"`
	// LanguageAware prefers an agent who speaks the conversation's
	// language when one can take it.
	LanguageAware bool `json:"language_aware"`
	// ReassignAfterSeconds is how long an assignee may be unavailable,
	// with open conversations routed here, before these return to the
	// queue and are routed again; 0 never. It needs OnlyAvailable.
	ReassignAfterSeconds int `json:"reassign_after_seconds"`
}

// DefaultRouting are the settings of an inbox or team never configured.
func DefaultRouting() RoutingSettings {
	return RoutingSettings{Mode: RoutingOff, OnlyAvailable: true, LanguageAware: true, ReassignAfterSeconds: 300}
}

// Capacity is how many open conversations of each channel kind an agent
// takes at once from routing. In a user's capacity, null takes the
// account's default; the account's default has both.
type Capacity struct {
	Chat  *int `json:"chat"`
	Email *int `json:"email"`
}

// DefaultCapacity is an account's default capacity until an admin sets one.
func DefaultCapacity() Capacity {
	chat, email := 5, 10
	return Capacity{Chat: &chat, Email: &email}
}

// Of returns the capacity of kind, and false when it is not set.
func (c Capacity) Of(kind string) (int, bool) {
	p := c.Chat
	if kind == KindEmail {
		p = c.Email
	}
	if p == nil {
		return 0, false
	}
	return *p, true
}
