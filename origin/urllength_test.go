package origin_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// A delivery URL over 8 KiB (delivery.DefaultMaxLength, the edges' largest
// max_url_length) answers 414 URI Too Long at the origin too, with
// X-Cld-Error; one at the bound is parsed.
func TestDeliveryURLTooLong(t *testing.T) {
	o := startOrigin(t, nil)
	addr := strings.TrimPrefix(o.URL, "http://")
	url := func(n int) string {
		p := "/demo/image/upload/"
		return p + strings.Repeat("a", n-len(p)-len(".jpg")) + ".jpg"
	}
	a := rawGet(t, addr, url(delivery.DefaultMaxLength+1))
	if !strings.Contains(a.status, " 414 ") || a.header("X-Cld-Error") != "URL too long" {
		t.Errorf("over the bound: %q, X-Cld-Error %q", a.status, a.header("X-Cld-Error"))
	}
	a = rawGet(t, addr, url(delivery.DefaultMaxLength))
	if !strings.Contains(a.status, " 400 ") || !strings.HasPrefix(a.header("X-Cld-Error"), "Invalid public ID - ") {
		t.Errorf("at the bound: %q, X-Cld-Error %q", a.status, a.header("X-Cld-Error"))
	}
	if r := testkit.Get(t, o.URL+"/demo/image/upload/x.jpg"); r.Status != http.StatusNotFound {
		t.Errorf("the origin stopped serving: %d", r.Status)
	}
}
