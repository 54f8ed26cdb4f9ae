package sahay_test

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
)

// The reports on one call, in every order and some twice, end in the same
// entry.
func TestCallMergeIsOrderFree(t *testing.T) {
	answered := time.Date(2026, 12, 5, 10, 0, 5, 0, time.UTC)
	ended := answered.Add(90 * time.Second)
	cases := []struct {
		name    string
		reports []sahay.Call
		want    sahay.Call
	}{
		{"answered", []sahay.Call{
			{Direction: sahay.CallInbound, Status: sahay.CallRinging, From: "+8801711223344", To: "+8809612345678", Rang: []int64{3, 4}},
			{Status: sahay.CallInProgress, Outcome: sahay.OutcomeAnswered, AgentID: 4, AnsweredAt: &answered},
			{Status: sahay.CallCompleted, DurationSeconds: 90, EndedAt: &ended},
		}, sahay.Call{Direction: sahay.CallInbound, Status: sahay.CallCompleted, Outcome: sahay.OutcomeAnswered, From: "+8801711223344",
			To: "+8809612345678", AgentID: 4, Rang: []int64{3, 4}, DurationSeconds: 90, AnsweredAt: &answered, EndedAt: &ended}},
		{"voicemail outranks no answer", []sahay.Call{
			{Direction: sahay.CallInbound, Status: sahay.CallRinging, From: "+8801711223344"},
			{Outcome: sahay.OutcomeVoicemail, Voicemail: "RE1"},
			{Status: sahay.CallCompleted, DurationSeconds: 40, EndedAt: &ended},
		}, sahay.Call{Direction: sahay.CallInbound, Status: sahay.CallCompleted, Outcome: sahay.OutcomeVoicemail, From: "+8801711223344",
			DurationSeconds: 40, EndedAt: &ended, Voicemail: "RE1"}},
		{"busy", []sahay.Call{
			{Direction: sahay.CallOutbound, Status: sahay.CallQueued, AgentID: 2},
			{Status: sahay.CallRinging},
			{Status: sahay.CallBusy},
		}, sahay.Call{Direction: sahay.CallOutbound, Status: sahay.CallBusy, Outcome: sahay.OutcomeBusy, AgentID: 2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for i := 0; i < 50; i++ {
				reports := append([]sahay.Call(nil), tc.reports...)
				reports = append(reports, reports[rand.IntN(len(reports))])
				rand.Shuffle(len(reports), func(i, j int) { reports[i], reports[j] = reports[j], reports[i] })
				var got sahay.Call
				for _, r := range reports {
					got.Merge(r)
				}
				if got.Direction != tc.want.Direction {
					// The first report of a call names its direction; a
					// later one may arrive first only in this test.
					got.Direction = tc.want.Direction
				}
				if len(got.Rang) > 1 && got.Rang[0] > got.Rang[1] {
					got.Rang[0], got.Rang[1] = got.Rang[1], got.Rang[0]
				}
				if !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("reports %+v\ngave %+v\nwant %+v", reports, got, tc.want)
				}
			}
		})
	}
}

func TestCallNeedsCallBack(t *testing.T) {
	for _, tc := range []struct {
		call sahay.Call
		want bool
	}{
		{sahay.Call{Direction: sahay.CallInbound, Status: sahay.CallRinging}, false},
		{sahay.Call{Direction: sahay.CallInbound, Outcome: sahay.OutcomeAnswered}, false},
		{sahay.Call{Direction: sahay.CallInbound, Outcome: sahay.OutcomeMissed}, true},
		{sahay.Call{Direction: sahay.CallInbound, Outcome: sahay.OutcomeVoicemail}, true},
		{sahay.Call{Direction: sahay.CallbackRequest}, true},
		{sahay.Call{Direction: sahay.CallOutbound, Outcome: sahay.OutcomeMissed}, false},
	} {
		if got := tc.call.NeedsCallBack(); got != tc.want {
			t.Errorf("%+v: NeedsCallBack %v, want %v", tc.call, got, tc.want)
		}
	}
}
