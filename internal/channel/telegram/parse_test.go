package telegram

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file string
		want []Received
	}{
		{"text.json", []Received{{UpdateID: 10000, ChatID: 1111111, MessageID: 1365, SenderID: 1111111,
			Name: "Test Test Lastname", Username: "Test", Text: "/start", SentAt: time.Unix(1441645532, 0).UTC()}}},
		{"photo.json", []Received{{UpdateID: 10001, ChatID: 1111111, MessageID: 1366, SenderID: 1111111,
			Name: "রহিম উদ্দিন", Language: "bn", Text: "ছবির মতো পণ্যটি ভাঙা এসেছে", SentAt: time.Unix(1441645600, 0).UTC(),
			Files: []FileRef{{FileID: "AgADBAADr6cxG_large", Name: "photo-AQADr6cx-l.jpg", ContentType: "image/jpeg", Size: 61234}}}}},
		{"document.json", []Received{{UpdateID: 10002, ChatID: 1111111, MessageID: 1367, SenderID: 1111111, Name: "Test",
			SentAt: time.Unix(1441645700, 0).UTC(),
			Files:  []FileRef{{FileID: "BQADBAADdoc1", Name: "receipt.pdf", ContentType: "application/pdf", Size: 20480}}}}},
		{"voice.json", []Received{{UpdateID: 10003, ChatID: 1111111, MessageID: 1368, SenderID: 1111111, Name: "Test",
			SentAt: time.Unix(1441645800, 0).UTC(),
			Files:  []FileRef{{FileID: "AwADBAADvoice1", Name: "voice-AgADvoice1.ogg", ContentType: "audio/ogg", Size: 9120}}}}},
		{"location.json", []Received{{UpdateID: 10004, ChatID: 1111111, MessageID: 1369, SenderID: 1111111, Name: "Test",
			SentAt: time.Unix(1441645900, 0).UTC(),
			Text:   "📍 23.810332, 90.412518 https://www.openstreetmap.org/?mlat=23.810332&mlon=90.412518#map=17/23.810332/90.412518"}}},
		{"edited.json", []Received{{UpdateID: 10005, ChatID: 1111111, MessageID: 1365, SenderID: 1111111, Name: "Test",
			Edited: true, Text: "मेरा ऑर्डर कहाँ है?", SentAt: time.Unix(1441646000, 0).UTC()}}},
		{"group.json", nil},
		{"business_bot.json", []Received{{UpdateID: 10007, ChatID: 1111111, MessageID: 88, SenderID: 7000001, FromBot: true,
			Name: "Test", Text: "We are open until 8 pm.", SentAt: time.Unix(1441646200, 0).UTC()}}},
		{"callback.json", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := Parse(readFixture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d messages %+v, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				if !equalReceived(got[i], tt.want[i]) {
					t.Errorf("message %d:\n got %+v\nwant %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func equalReceived(a, b Received) bool {
	if len(a.Files) != len(b.Files) {
		return false
	}
	for i := range a.Files {
		if a.Files[i] != b.Files[i] {
			return false
		}
	}
	a.Files, b.Files = nil, nil
	return a.UpdateID == b.UpdateID && a.ChatID == b.ChatID && a.MessageID == b.MessageID && a.Edited == b.Edited &&
		a.FromBot == b.FromBot && a.SenderID == b.SenderID && a.Name == b.Name && a.Username == b.Username &&
		a.Language == b.Language && a.Text == b.Text && a.SentAt.Equal(b.SentAt)
}

// An edit and the message it changes name the same platform message, so
// the edit finds what it replaces.
func TestEditKeepsExternalID(t *testing.T) {
	first, err := Parse(readFixture(t, "text.json"))
	if err != nil {
		t.Fatal(err)
	}
	edit, err := Parse(readFixture(t, "edited.json"))
	if err != nil {
		t.Fatal(err)
	}
	if first[0].ExternalID() != edit[0].ExternalID() || first[0].ExternalID() != "1111111:1365" {
		t.Fatalf("external ids %q and %q, want both 1111111:1365", first[0].ExternalID(), edit[0].ExternalID())
	}
}

func TestParseRefuses(t *testing.T) {
	tests := map[string]string{
		"not JSON":             `update_id=1`,
		"an array":             `[{"update_id":1}]`,
		"no update_id":         `{"message":{"message_id":1,"chat":{"id":1,"type":"private"},"date":1,"text":"hi"}}`,
		"negative update_id":   `{"update_id":-4}`,
		"message without chat": `{"update_id":5,"message":{"message_id":1,"date":1,"text":"hi"}}`,
		"message without id":   `{"update_id":5,"message":{"chat":{"id":1,"type":"private"},"date":1,"text":"hi"}}`,
		"wrong type":           `{"update_id":"5"}`,
		"trailing data":        `{"update_id":5} {"update_id":6}`,
		"too large":            `{"update_id":5,"message":{"text":"` + strings.Repeat("a", maxUpdate) + `"}}`,
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			if got, err := Parse([]byte(body)); err == nil {
				t.Fatalf("Parse = %+v, want an error", got)
			}
		})
	}
}

// A message Sahay cannot show still reaches the team, marked as such.
func TestParseUnsupportedMessageKept(t *testing.T) {
	got, err := Parse([]byte(`{"update_id":9,"message":{"message_id":3,"chat":{"id":4,"type":"private"},"date":1,"poll":{"id":"1"}}}`))
	if err != nil || len(got) != 1 || got[0].Text != "[unsupported Telegram message]" {
		t.Fatalf("Parse = %+v, %v", got, err)
	}
}

func TestFileNameIsSafe(t *testing.T) {
	for in, want := range map[string]string{
		"receipt.pdf":         "receipt.pdf",
		"../../etc/passwd":    "passwd",
		`C:\Users\a\bill.pdf`: "bill.pdf",
		"..":                  "def",
		"a\x00b\nc.txt":       "abc.txt",
		"\xff\xfe":            "def",
		"রসিদ.pdf":            "রসিদ.pdf",
	} {
		if got := fileName(in, "def"); got != want {
			t.Errorf("fileName(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"text.json", "photo.json", "document.json", "voice.json", "location.json", "edited.json", "group.json", "business_bot.json", "callback.json"} {
		f.Add(readFixture(f, name))
	}
	f.Add([]byte(`{"update_id":1,"message":{"message_id":1,"chat":{"id":1,"type":"private"},"photo":[{"file_id":""}]}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := Parse(raw)
		if err != nil {
			if got != nil {
				t.Fatalf("error %v with messages %+v", err, got)
			}
			return
		}
		for _, r := range got {
			if r.UpdateID <= 0 || r.MessageID <= 0 || r.ChatID == 0 {
				t.Fatalf("message without its ids: %+v", r)
			}
			if r.Text == "" && len(r.Files) == 0 {
				t.Fatalf("empty message: %+v", r)
			}
			for _, f := range r.Files {
				if f.FileID == "" || f.Name == "" || f.ContentType == "" {
					t.Fatalf("file without id, name or type: %+v", f)
				}
				if strings.ContainsAny(f.Name, "/\\") || !utf8.ValidString(f.Name) || len(f.Name) > 200 || f.Name == ".." {
					t.Fatalf("unsafe file name %q", f.Name)
				}
			}
		}
	})
}
