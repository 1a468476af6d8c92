package origin_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/internal/testservers"
	"github.com/mediacdn/mediacdn/origin"
)

// A fetch URL's public ID (the remote URL) is at most
// delivery.MaxFetchIDBytes on both metadata stores: PostgreSQL's btree
// indexes hold at most 2,704 bytes a row, and a longer ID failed the
// fetch's write there with a 500 (SQLite took it). One byte more is a 400
// naming the public ID, before anything is fetched.
func TestFetchLongURL(t *testing.T) {
	rocket := testkit.Read(t, "rocket.jpg")
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			mdURL := ""
			if engine == "postgres" {
				srv, err := testservers.NewPostgresServer()
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { srv.Stop() })
				mdURL = srv.Database(t).URL
			}
			rs := startRemote(t, map[string][]byte{})
			o := startOriginWith(t, func(c *origin.Config) {
				c.Fetch.AllowNetworks = []string{"127.0.0.0/8"}
				c.MetadataURL = mdURL
			}, nil, config.Cloud{APIKey: apiKey, APISecret: apiSecret, FetchDomains: []string{"127.0.0.1"}})
			// Letters and digits at random: nothing for a compressor to take.
			const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			var b strings.Builder
			for b.Len() < delivery.MaxFetchIDBytes {
				b.WriteByte(chars[rand.IntN(len(chars))])
			}
			base := rs.URL + "/p/"
			path := "/p/" + b.String()[:delivery.MaxFetchIDBytes-len(base)-len(".jpg")] + ".jpg"
			rs.set(path, rocket)
			remote := rs.URL + path
			if len(remote) != delivery.MaxFetchIDBytes {
				t.Fatalf("remote URL of %d bytes", len(remote))
			}
			if a := testkit.Get(t, o.URL+"/demo/image/fetch/"+remote); a.Status != 200 {
				t.Fatalf("a fetch URL of %d bytes: %d %s", len(remote), a.Status, a.Body)
			}
			longer := rs.URL + "/p/x" + path[len("/p/"):]
			a := testkit.Get(t, o.URL+"/demo/image/fetch/"+longer)
			if a.Status != 400 || !strings.Contains(a.Header.Get("X-Cld-Error"), "Invalid public ID") {
				t.Fatalf("a fetch URL of %d bytes: %d %q %s", len(longer), a.Status, a.Header.Get("X-Cld-Error"), a.Body)
			}
			if n := rs.count("/p/x" + path[len("/p/"):]); n != 0 {
				t.Fatalf("the too long URL was fetched %d times", n)
			}
		})
	}
}
