package origin_test

import (
	"net/http"
	"testing"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// A named transformation with an empty format (the Node SDK given format "",
// a trailing slash, test/node/transformations.js) is created, shown with
// extension "none" and delivered in the URL's format; a definition that
// is only a slash, or ends in two, is still refused.
func TestNamedTransformationEmptyFormat(t *testing.T) {
	o := startOrigin(t, nil)
	runNode(t, "transformations.js", o.URL, t.TempDir())
	uploadAs(t, o, "chelsea.png", "cat")
	r := testkit.Get(t, o.URL+"/demo/image/upload/t_no_ext/cat.png")
	if r.Status != 200 || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("t_no_ext: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	if w, _ := imageSize(t, r.Body); w != 102 {
		t.Fatalf("t_no_ext: width %d", w)
	}
	if d := adminGet(t, o, "transformations/no_ext"); d.body["definition"] != "c_scale,w_102/" {
		t.Fatalf("definition: %s", d.raw)
	}
	for _, def := range []string{"/", "c_scale,w_10//"} {
		a := adminDo(t, o, http.MethodPost, "transformations/bad", "application/x-www-form-urlencoded", "transformation="+def)
		if a.status != 400 || a.errorMessage() != "Invalid transformation - Invalid transformation component - " {
			t.Errorf("%q: %d %s", def, a.status, a.raw)
		}
	}
}
