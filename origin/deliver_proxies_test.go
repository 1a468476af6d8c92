package origin_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/config"
	cfg "github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/origin"
)

// Behind trusted proxies (trusted_proxies, the loopback peer here) the
// origin checks a token's ip= against the client the proxies report, as
// the edge does; an untrusted peer's X-Forwarded-For is ignored.
func TestOriginTokenIPBehindProxy(t *testing.T) {
	for _, c := range []struct {
		proxies []string
		lines   []string
		status  int
	}{
		{[]string{"127.0.0.1"}, []string{"203.0.113.7"}, 200},
		{[]string{"127.0.0.1"}, []string{"192.0.2.1, 203.0.113.7, 127.0.0.1"}, 200},
		{[]string{"127.0.0.1"}, nil, 401},
		{[]string{"127.0.0.1"}, []string{"203.0.113.7, 198.51.100.9"}, 401},
		{[]string{"127.0.0.1"}, []string{"203.0.113.7", "198.51.100.9"}, 401},
		{[]string{"127.0.0.1"}, []string{"203.0.113.7, unknown"}, 401},
		{nil, []string{"203.0.113.7"}, 401},
		{[]string{"10.0.0.0/8"}, []string{"203.0.113.7"}, 401},
	} {
		o := startOriginWith(t, func(c2 *origin.Config) { c2.TrustedProxies = c.proxies }, nil,
			cfg.Cloud{APIKey: apiKey, APISecret: apiSecret, AuthTokenKey: tokenKey})
		uploadAs(t, o, "rocket.jpg", "locked", "type", "authenticated")
		uri := sdkTokenURL(t, o, "locked", api.Authenticated, config.AuthToken{ACL: "*", IP: "203.0.113.7",
			Expiration: time.Now().Unix() + 60})
		req, err := http.NewRequest(http.MethodGet, o.URL+uri, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range c.lines {
			req.Header.Add("X-Forwarded-For", l)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status || c.status == 401 && resp.Header.Get("X-Cld-Error") != "Invalid token - wrong ip" {
			t.Errorf("%q %q: %d %q, want %d", c.proxies, c.lines, resp.StatusCode, resp.Header.Get("X-Cld-Error"), c.status)
		}
	}
}

// trusted_proxies and client_ip_header are checked at load.
func TestOriginClientIPConfig(t *testing.T) {
	for _, b := range []struct {
		proxies []string
		header  string
		want    string
	}{
		{[]string{"10.0.0.0/8", "::1/129"}, "", `trusted_proxies: "::1/129" is not a CIDR`},
		{nil, "Via", `client_ip_header: unsupported header "Via"`},
	} {
		c := origin.Config{DataDir: t.TempDir(), TrustedProxies: b.proxies, ClientIPHeader: b.header}
		c.ApplyDefaults()
		if err := c.Validate(); err == nil || !strings.HasPrefix(err.Error(), b.want) {
			t.Errorf("%q %q: %v, want %s", b.proxies, b.header, err, b.want)
		}
	}
	c := origin.Config{DataDir: t.TempDir(), TrustedProxies: []string{"10.0.0.0/8"}, ClientIPHeader: "X-Real-IP"}
	c.ApplyDefaults()
	if err := c.Validate(); err != nil {
		t.Errorf("valid settings: %v", err)
	}
}
