package core_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// TestMacroRunsAsAWhole: a macro whose message the channel would refuse
// now (outside the messaging window, or showing personal data on a public
// conversation) changes nothing, not even its label before the message;
// the same macro runs where the channel takes the message, and the reply
// goes out as the agent's.
func TestMacroRunsAsAWhole(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		ctx := context.Background()
		f := newBoardFixture(t, open(t), `{}`)
		if _, err := f.svc.SaveLabel(ctx, f.agent, 0, core.LabelInput{Name: ptr("urgent")}); err != nil {
			t.Fatal(err)
		}
		save := func(name, text string) *store.Macro {
			t.Helper()
			actions, _ := json.Marshal([]map[string]any{{"action": "add_label", "value": "urgent"}, {"action": "send_message", "value": text}})
			m, err := f.svc.SaveMacro(ctx, f.agent, 0, core.MacroInput{Name: &name, Actions: actions})
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		callUs := save("Call us", "Call us on 01712-345678 please")
		late := f.receive(t, channel.Inbound{ExternalID: "m1", ContactID: "rina", Content: "parcel?"}).Conversation
		f.setLastIncoming(t, late.ID, 30*time.Hour)
		public := f.receive(t, comment("c1", "mita", "p1", "My parcel never came")).Conversation
		for _, tc := range []struct {
			name string
			conv *sahay.Conversation
			code string
		}{{"window closed", late, sahay.EWINDOW}, {"personal data in public", public, sahay.EPERSONALDATA}} {
			before, _ := f.svc.Messages(ctx, f.agent, tc.conv.ID, 0, 50)
			_, err := f.svc.RunMacro(ctx, f.agent, tc.conv.ID, callUs.ID)
			if sahay.ErrorCode(err) != tc.code {
				t.Errorf("%s: err = %v, want %s", tc.name, err, tc.code)
			}
			after, _ := f.svc.Messages(ctx, f.agent, tc.conv.ID, 0, 50)
			c, _ := f.svc.Conversation(ctx, f.agent, tc.conv.ID)
			if len(after) != len(before) || len(c.Labels) != 0 {
				t.Errorf("%s: the refused run changed the conversation: labels %v, %d timeline entries, was %d", tc.name, c.Labels, len(after), len(before))
			}
		}

		fresh := f.receive(t, channel.Inbound{ExternalID: "m2", ContactID: "tanu", Content: "parcel?"}).Conversation
		c, err := f.svc.RunMacro(ctx, f.agent, fresh.ID, callUs.ID)
		if err != nil || !slices.Equal(c.Labels, []string{"urgent"}) {
			t.Fatalf("run in the window: %v, %v", c, err)
		}
		msgs, _ := f.svc.Messages(ctx, f.agent, fresh.ID, 0, 50)
		var reply *sahay.Message
		for _, m := range msgs {
			if m.Kind == sahay.MessageOutgoing {
				reply = m
			}
		}
		if reply == nil || reply.SenderType != sahay.SenderUser || reply.SenderID != f.agent.User.ID {
			t.Fatalf("the macro's reply: %+v", reply)
		}
		if out := f.board.waitSent(t, reply.ID); out.Message.Content != "Call us on 01712-345678 please" {
			t.Errorf("sent %q", out.Message.Content)
		}
	})
}
