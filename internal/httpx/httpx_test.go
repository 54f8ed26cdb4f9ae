package httpx_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/httpx"
)

func TestDecodeRefusesWhatItWouldReplace(t *testing.T) {
	type contact struct {
		Name  string   `json:"name"`
		Notes []string `json:"notes"`
	}
	type body struct {
		Contact contact `json:"contact"`
		Content string  `json:"content"`
	}
	for _, c := range []struct {
		name, body, code, field string
	}{
		{"plain", `{"contact":{"name":"Dana"},"content":"hi"}`, "", ""},
		{"escapes", `{"contact":{"name":"D\u0061na \ud83d\ude00"},"content":"\\ud800 is text"}`, "", ""},
		{"bengali", `{"contact":{"name":"নুসরাত"},"content":"কোথায়?"}`, "", ""},
		{"raw bad byte", "{\"contact\":{\"name\":\"Da\xffna\"},\"content\":\"hi\"}", sahay.EINVALID, "contact.name"},
		{"truncated sequence", "{\"content\":\"\xe0\xa6\"}", sahay.EINVALID, "content"},
		{"lone high surrogate", `{"content":"a\ud800b"}`, sahay.EINVALID, "content"},
		{"lone low surrogate", `{"contact":{"notes":["ok","\udc00"]}}`, sahay.EINVALID, "contact.notes[1]"},
		{"high then not low", `{"content":"\ud800\u0041"}`, sahay.EINVALID, "content"},
		{"bad field name", "{\"contact\":{\"n\xffame\":\"x\"}}", sahay.EBADREQUEST, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(c.body))
			var v body
			err := httpx.Decode(httptest.NewRecorder(), r, &v)
			if got := sahay.ErrorCode(err); got != c.code {
				t.Fatalf("code = %q (%v), want %q", got, err, c.code)
			}
			if c.field != "" && !strings.Contains(sahay.ErrorMessage(err), c.field+" is not valid UTF-8") {
				t.Fatalf("message %q does not name %s", sahay.ErrorMessage(err), c.field)
			}
		})
	}
}
