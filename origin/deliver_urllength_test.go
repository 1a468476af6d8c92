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
	get := func(n int) testkit.RawAnswer {
		p := "/demo/image/upload/"
		url := p + strings.Repeat("a", n-len(p)-len(".jpg")) + ".jpg"
		return testkit.RawExchange(t, addr, "GET "+url+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	}
	a := get(delivery.DefaultMaxLength + 1)
	if !strings.Contains(a.StatusLine, " 414 ") || a.Header("X-Cld-Error") != "URL too long" {
		t.Errorf("over the bound: %q, X-Cld-Error %q", a.StatusLine, a.Header("X-Cld-Error"))
	}
	a = get(delivery.DefaultMaxLength)
	if !strings.Contains(a.StatusLine, " 400 ") || !strings.HasPrefix(a.Header("X-Cld-Error"), "Invalid public ID - ") {
		t.Errorf("at the bound: %q, X-Cld-Error %q", a.StatusLine, a.Header("X-Cld-Error"))
	}
	if r := testkit.Get(t, o.URL+"/demo/image/upload/x.jpg"); r.Status != http.StatusNotFound {
		t.Errorf("the origin stopped serving: %d", r.Status)
	}
}
