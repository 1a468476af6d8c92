package origin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/config"
)

// Purges and edges purges every URL of a named transformation: the
// /invalidations API's named rule, its invalidation followed on the page.
func TestConsolePurgeNamedTransformation(t *testing.T) {
	o, rules := startPurgingOrigin(t, config.Cloud{APIKey: apiKey, APISecret: apiSecret,
		NamedTransformations: map[string]string{"thumb": "c_fill,h_30,w_30"}})
	c := newConsoleClient(t, o)
	c.mustSignIn()
	page := c.do(http.MethodGet, "/console/purges", nil)
	if page.status != http.StatusOK || !strings.Contains(page.body, `<option value="t_thumb">`) {
		t.Fatalf("purges: the named transformations are not offered: %d %s", page.status, page.body)
	}
	rules.next()
	a := c.do(http.MethodPost, "/console/purges", url.Values{"csrf": {page.csrf(t)}, "scope": {"transformation"}, "value": {"t_thumb"}})
	if a.status != http.StatusSeeOther || !strings.HasPrefix(a.header.Get("Location"), "/console/purges?inv=") {
		t.Fatalf("purge by named transformation: %d %v %s", a.status, a.header, a.body)
	}
	got := rules.expect("purge by named transformation", "named t_thumb")
	if len(got) == 1 && !strings.Contains(a.header.Get("Location"), url.QueryEscape(got[0].ID)) {
		t.Fatalf("the page follows %s, not the rule's invalidation %s", a.header.Get("Location"), got[0].ID)
	}
}
