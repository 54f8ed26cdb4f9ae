package core

import (
	"errors"
	"testing"

	sahay "github.com/sahayhq/sahay"
)

// TestMacroStopped checks what a run that stops midway says: the action
// that failed, with its code, and what was applied before it.
func TestMacroStopped(t *testing.T) {
	actions := []RuleAction{{Action: "add_label"}, {Action: "set_priority"}, {Action: "send_message"}}
	for _, tc := range []struct {
		name string
		at   int
		err  error
		code string
		want string
	}{
		{"first", 0, sahay.Invalid("unknown label \"vip\""), sahay.EINVALID,
			`macro "Escalate" stopped at action 1 (add_label): unknown label "vip"; nothing was applied`},
		{"midway", 2, sahay.Errorf(sahay.EWINDOW, "outside the 24-hour window"), sahay.EWINDOW,
			`macro "Escalate" stopped at action 3 (send_message): outside the 24-hour window; applied before it: add_label, set_priority`},
		{"internal", 1, errors.New("disk full"), sahay.EINTERNAL, "internal error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := macroStopped("Escalate", actions, tc.at, tc.err)
			if got := sahay.ErrorCode(err); got != tc.code {
				t.Errorf("code %q, want %q", got, tc.code)
			}
			if got := sahay.ErrorMessage(err); got != tc.want {
				t.Errorf("message\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
