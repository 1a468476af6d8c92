package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

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
