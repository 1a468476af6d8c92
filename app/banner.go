package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// devBanner is what mediacdn dev prints on stdout once its edge's /readyz
// says ready: where each part listens, the dev cloud's credentials, one
// request to try, and the CLOUDINARY_URL for the official SDKs.
type devBanner struct {
	// Edge, API and NATS are the parts' URLs (http://host:port,
	// nats://host:port).
	Edge, API, NATS string
	// Data is the data directory.
	Data string
	// Cloud, Key and Secret are the cloud to try and its credentials.
	Cloud, Key, Secret string
	// Ready is how long start-up took, to ready.
	Ready time.Duration
}

func (b devBanner) write(w io.Writer) {
	edgeHost := strings.TrimPrefix(b.Edge, "http://")
	cldURL := "cloudinary://" + url.PathEscape(b.Key) + ":" + url.PathEscape(b.Secret) + "@" + b.Cloud +
		"?upload_prefix=" + b.API + "&secure=false&cname=" + edgeHost
	fmt.Fprintf(w, `
mediacdn dev is ready (in %v); data in %s, Ctrl-C stops it.

  edge (delivery)       %s
  API (Upload, Admin)   %s/v1_1/%s/
  NATS (purges)         %s
  cloud                 %s   api_key %s   api_secret %s   (dev only)

Try (from the checkout):
  curl -u %s:%s -F file=@testdata/corpus/rocket.jpg -F public_id=rocket %s/v1_1/%s/image/upload
  then open %s/%s/image/upload/c_fill,h_200,w_300/rocket.jpg

The official SDKs read their settings from:
  export CLOUDINARY_URL='%s'

`, b.Ready.Round(time.Millisecond), b.Data,
		b.Edge, b.API, b.Cloud, b.NATS, b.Cloud, b.Key, b.Secret,
		b.Key, b.Secret, b.API, b.Cloud, b.Edge, b.Cloud, cldURL)
}

// readyWarnAfter is how long waitReady waits quietly before saying why the
// edge is not ready yet.
const readyWarnAfter = 5 * time.Second

// waitReady polls an edge's /readyz until it answers 200 or ctx ends. Past
// readyWarnAfter it logs, once, what /readyz says.
func waitReady(ctx context.Context, readyz string, log *slog.Logger) error {
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: time.Second}
	warnAt := time.Now().Add(readyWarnAfter)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		var why string
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, readyz, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			why = strings.TrimSpace(string(b))
		} else {
			why = err.Error()
		}
		if !warnAt.IsZero() && time.Now().After(warnAt) {
			log.Warn("edge not ready yet; still waiting", "readyz", why)
			warnAt = time.Time{}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
