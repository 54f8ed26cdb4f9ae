package helpcenter_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/sahayhq/sahay/internal/apitest"
)

// TestHelpCenterFiles uploads an image, shows it in an article and serves
// it at /hc-files/ as the image it is, never sniffed, under a policy
// without scripts, cached for long; on another help center's domain it is
// not there.
func TestHelpCenterFiles(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		d := newDesk(t)
		img := image.NewRGBA(image.Rect(0, 0, 4, 4))
		img.Set(1, 1, color.RGBA{R: 200, A: 255})
		var pic bytes.Buffer
		png.Encode(&pic, img)
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		part, _ := mw.CreateFormFile("file", "parcel label.png")
		part.Write(pic.Bytes())
		mw.Close()
		r := d.Do(t, apitest.Request{Method: http.MethodPost, Path: "/api/v1/kb/files", Token: d.owner.Token, Body: body.Bytes(),
			Header: http.Header{"Content-Type": {mw.FormDataContentType()}}})
		if r.Status != http.StatusCreated {
			t.Fatalf("upload: %s", r)
		}
		var up struct{ URL, Markdown string }
		r.Decode(t, &up)
		a := d.publish(t, "en", "Print the label", "Print it:\n\n"+up.Markdown, nil)
		art := d.get(t, a.url("en"))
		if src := art.one(t, "img", "src"); src != up.URL {
			t.Errorf("the article shows %q, want %q", src, up.URL)
		}

		f := d.get(t, up.URL)
		if f.status != http.StatusOK || f.body != pic.String() {
			t.Fatalf("image: %d", f.status)
		}
		for h, want := range map[string]string{
			"Content-Type":           "image/png",
			"X-Content-Type-Options": "nosniff",
			"Cache-Control":          "public, max-age=31536000, immutable",
		} {
			if got := f.header.Get(h); got != want {
				t.Errorf("%s: %q, want %q", h, got, want)
			}
		}
		if csp := f.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'none'") || !strings.Contains(csp, "sandbox") {
			t.Errorf("policy %q", csp)
		}
		token := strings.Split(up.URL, "/")[2]
		for _, wrong := range []string{"/hc-files/" + token + "/other.png", "/hc-files/nosuchtoken/parcel%20label.png"} {
			if r := d.get(t, wrong); r.status != http.StatusNotFound {
				t.Errorf("%s: %d", wrong, r.status)
			}
		}

		// On the help center's own domain it is served; on another
		// account's, it is not.
		d.settings(t, map[string]any{"domain": "help.acme.test"})
		if r := d.get(t, up.URL, "Host", "help.acme.test"); r.status != http.StatusOK || r.header.Get("Content-Type") != "image/png" {
			t.Errorf("on the domain: %d", r.status)
		}
		other := d.NewAccount(t, "Other Shop")
		d.Must(t, other.Token, http.MethodPut, "/api/v1/kb/settings", map[string]any{"enabled": true, "domain": "help.other.test"}, http.StatusOK, nil)
		if r := d.get(t, up.URL, "Host", "help.other.test"); r.status != http.StatusNotFound {
			t.Errorf("on another help center's domain: %d", r.status)
		}
		_ = fmt.Sprint()
	})
}
