package origin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/origin/meta"

	"github.com/mediacdn/mediacdn/delivery"
)

// adminAnswer is an Admin API response.
type adminAnswer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// errorMessage is the answer's error.message ("" when there is none).
func (a adminAnswer) errorMessage() string {
	if e, ok := a.body["error"].(map[string]any); ok {
		s, _ := e["message"].(string)
		return s
	}
	return ""
}

// adminDo sends an Admin API request with Basic auth: path is after
// /v1_1/demo/, body is sent as is with contentType ("" sends none).
func adminDo(t testing.TB, o *testOrigin, method, path, contentType, body string) adminAnswer {
	t.Helper()
	req, err := http.NewRequest(method, o.URL+"/v1_1/demo/"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.SetBasicAuth(apiKey, apiSecret)
	return send(t, req)
}

func send(t testing.TB, req *http.Request) adminAnswer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := adminAnswer{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	if err := json.Unmarshal(b, &a.body); err != nil {
		t.Fatalf("%s %s: not JSON (%d): %s", req.Method, req.URL, resp.StatusCode, b)
	}
	return a
}

// adminGet is adminDo for a GET with a query.
func adminGet(t testing.TB, o *testOrigin, pathAndQuery string) adminAnswer {
	t.Helper()
	return adminDo(t, o, http.MethodGet, pathAndQuery, "", "")
}

// seedAssets stores n assets "<prefix><i>" (i from 0, zero-padded to 5)
// directly in the store, each with a small blob of its own, in batches.
// mutate may adjust each before it is stored.
func seedAssets(t testing.TB, o *testOrigin, prefix string, n int, mutate func(i int, a *meta.Asset)) []*meta.Asset {
	t.Helper()
	ctx := context.Background()
	var all []*meta.Asset
	var batch []*meta.Asset
	flush := func() {
		if err := o.Store.Meta.Import(ctx, batch); err != nil {
			t.Fatal(err)
		}
		all = append(all, batch...)
		batch = nil
	}
	now := time.Now().UTC()
	for i := 0; i < n; i++ {
		w, err := o.Store.Blobs.Create()
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(w, "asset %d", i)
		key, err := w.Commit()
		if err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprintf("%s%05d", prefix, i)
		a := &meta.Asset{Key: meta.Key{Cloud: cloudName, ResourceType: delivery.Raw, Type: delivery.Upload, PublicID: id},
			AssetID: fmt.Sprintf("%016x%016x", rand.Uint64(), rand.Uint64()), VersionID: "v", Bytes: 7, ETag: "e",
			Blob: key, CreatedAt: now, UpdatedAt: now, DisplayName: id}
		if mutate != nil {
			mutate(i, a)
		}
		batch = append(batch, a)
		if len(batch) == 500 {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
	return all
}

// ids returns the public IDs of a listing answer's resources.
func ids(t testing.TB, a adminAnswer) []string {
	t.Helper()
	list, ok := a.body["resources"].([]any)
	if !ok {
		t.Fatalf("no resources in %s", a.raw)
	}
	out := make([]string, len(list))
	for i, r := range list {
		out[i] = r.(map[string]any)["public_id"].(string)
	}
	return out
}
