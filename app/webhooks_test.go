package app

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// Two origins on one PostgreSQL database: uploads with notification_url
// spread over both, a receiver that refuses each webhook's first attempt;
// both origins' workers poll the one outbox, and each webhook is
// delivered exactly once (and refused exactly once).
func TestWebhooksTwoOrigins(t *testing.T) {
	stores := startSharedStores(t)
	ns := startNATS(t, "127.0.0.1:0")
	var mu sync.Mutex
	tries, delivered := map[string]int{}, map[string]int{}
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		sum := sha1.Sum([]byte(string(body) + r.Header.Get("X-Cld-Timestamp") + "demo_secret"))
		if r.Header.Get("X-Cld-Signature") != hex.EncodeToString(sum[:]) {
			t.Errorf("bad signature on %s", body)
		}
		var n struct {
			PublicID string `json:"public_id"`
		}
		json.Unmarshal(body, &n)
		mu.Lock()
		defer mu.Unlock()
		tries[n.PublicID]++
		if tries[n.PublicID] == 1 {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		delivered[n.PublicID]++
	}))
	t.Cleanup(rcv.Close)
	var origins [2]sharedOrigin
	for i := range origins {
		f := stores.originOn(t, ns.URL())
		f.Origin.MetricsListen = "127.0.0.1:0"
		f.Origin.Fetch.AllowNetworks = []string{"127.0.0.0/8"}
		f.Origin.Webhooks.MinBackoff = 10 * time.Millisecond
		f.Origin.Webhooks.MaxBackoff = 20 * time.Millisecond
		f.Origin.Webhooks.PollInterval = 5 * time.Millisecond
		origins[i] = startSharedOrigin(t, f)
	}
	const n = 12
	for i := range n {
		callAPI(t, origins[i%2].api, "upload", map[string]string{"public_id": fmt.Sprint("hook/", i),
			"notification_url": rcv.URL}, "rocket.jpg")
	}
	m, err := meta.Open(t.Context(), stores.metadataURL, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	testkit.CheckFor(t, testkit.Timeout, func() error {
		list, err := m.NotificationsPage(context.Background(), "demo", "", 0, 100)
		if err != nil {
			return err
		}
		if len(list) != n {
			return fmt.Errorf("%d notifications, want %d", len(list), n)
		}
		for _, x := range list {
			if x.State != meta.NotificationDelivered || x.Attempts != 2 {
				return fmt.Errorf("notification %d: %s after %d attempts", x.ID, x.State, x.Attempts)
			}
		}
		return nil
	})
	mu.Lock()
	defer mu.Unlock()
	for i := range n {
		id := fmt.Sprint("hook/", i)
		if tries[id] != 2 || delivered[id] != 1 {
			t.Errorf("%s: %d requests, %d delivered; want 2 and 1", id, tries[id], delivered[id])
		}
	}
}
