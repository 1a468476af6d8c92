package bench

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"
)

const (
	// freezeAssets are overwritten during each stop; each has two URLs
	// (the original and a derived image), both unversioned.
	freezeAssets = 10
	// freezeBound is nats.caught_up_bound's default: from the resume on,
	// every URL must answer fresh within it.
	freezeBound = 2 * time.Second
	// freezePoll spaces the polls of one URL after the resume.
	freezePoll = 5 * time.Millisecond
)

// freezeDurations are the stops: one shorter than caught_up_bound (the
// edge is still caught up when it resumes) and one longer (it is not).
var freezeDurations = []time.Duration{time.Second, 3 * time.Second}

func freezeDurationsText() string {
	var s []string
	for _, d := range freezeDurations {
		s = append(s, d.String())
	}
	return strings.Join(s, " and ")
}

// freezeData is one stop's figures.
type freezeData struct {
	StopMs float64 `json:"stopped_ms"`
	Purges int     `json:"purges"` // overwrites with invalidate during the stop
	URLs   int     `json:"urls"`
	// Requests sent to the stopped edge, after the purges were published,
	// answered once it resumed: from the old copy, the new one, or not
	// as they should (an error, another status).
	DuringStale  int `json:"during_stop_stale"`
	DuringFresh  int `json:"during_stop_fresh"`
	DuringFailed int `json:"during_stop_failed"`
	// FreshMs is, per URL, from the resume until its first answer with
	// the origin's current ETag; NotFresh counts the URLs that had none
	// within freezeBound.
	FreshMs    []float64 `json:"fresh_after_resume_ms"`
	MaxFreshMs float64   `json:"max_fresh_after_resume_ms"`
	NotFresh   int       `json:"not_fresh_within_bound"`
	// Checked answers sent once freezeBound had passed; StaleAfter of them
	// were not the origin's current ones.
	Checked    int    `json:"checked_after_bound"`
	StaleAfter int    `json:"stale_after_bound"`
	FirstStale string `json:"first_stale,omitempty"`
}

// chaosFreeze stops an edge with SIGSTOP while the assets it holds are
// overwritten with invalidate=true, resumes it with SIGCONT, and times
// until every URL answers what the origin serves now.
func chaosFreeze(ctx context.Context, e *env, d *chaosData) error {
	o := e.o
	const expect = "from the resume on, every URL fresh within caught_up_bound (2 s); nothing stale after it"
	if o.OriginURL != "" {
		for _, fd := range freezeDurations {
			d.skip(fmt.Sprintf("edge stopped %v while purges are published", fd), expect, errNeedsSpawn.Error())
		}
		return nil
	}
	c, err := startCluster(ctx, e, clusterSpec{Edges: 1})
	if err != nil {
		return err
	}
	defer c.Close()
	files, err := purgeFiles(e.photos)
	if err != nil {
		return err
	}
	api := newAPIClient(c.OriginURL, o)
	var paths []string
	ids := make([]string, freezeAssets)
	for i := range ids {
		ids[i] = fmt.Sprintf("chaos/freeze/%d", i)
		f := files[i%2]
		if _, err := api.upload(ctx, ids[i], f.File, f.Data, nil); err != nil {
			return err
		}
		paths = append(paths, deliveryPath(o.Cloud, variant{Ext: "jpg"}, 0, ids[i]),
			deliveryPath(o.Cloud, variant{"w_200", "jpg"}, 0, ids[i]))
	}
	edge, pid := c.EdgeURLs[0], c.edgePIDs[0]
	// One connection per URL, and as many for the requests sent during
	// the stop, which wait for the resume on theirs.
	ehc, err := newHostClient(edge, 2*len(paths), freezeBound+time.Minute)
	if err != nil {
		return err
	}
	defer ehc.CloseIdleConnections()
	ohc, err := newHostClient(c.OriginURL, 2, time.Minute)
	if err != nil {
		return err
	}
	defer ohc.CloseIdleConnections()
	for round, stop := range freezeDurations {
		if ctx.Err() != nil {
			break
		}
		fd, err := freezeRound(ctx, api, ehc, ohc, edge, c.OriginURL, pid, ids, paths, files[round%2], files[(round+1)%2], stop)
		if err != nil {
			return err
		}
		d.Freezes = append(d.Freezes, fd)
		d.add(fmt.Sprintf("edge stopped %v (SIGSTOP) while %d assets are overwritten with invalidate", stop, fd.Purges), expect,
			fmt.Sprintf("all %d URLs fresh %s ms after the resume at most (%d not within the bound); %d of %d stale after it%s; "+
				"requests sent during the stop: %d old copy, %d new, %d failed",
				fd.URLs, f0(fd.MaxFreshMs), fd.NotFresh, fd.StaleAfter, fd.Checked, staleSuffix(fd.FirstStale),
				fd.DuringStale, fd.DuringFresh, fd.DuringFailed),
			fd.NotFresh == 0 && fd.StaleAfter == 0 && fd.Checked == len(paths))
	}
	return ctx.Err()
}

func staleSuffix(s string) string {
	if s == "" {
		return ""
	}
	return " (first: " + tail(s, 120) + ")"
}

// freezeRound warms the edge with every URL, stops it, overwrites every
// asset with invalidate=true (odd assets with odd, even ones with even:
// the other photo than the one each holds), sends a request per URL to the stopped
// edge, resumes it after stop, and times each URL until fresh.
func freezeRound(ctx context.Context, api *apiClient, ehc, ohc *fasthttp.HostClient, edge, origin string, pid int,
	ids, paths []string, odd, even photo, stop time.Duration) (freezeData, error) {
	fd := freezeData{StopMs: ms(stop), URLs: len(paths)}
	old := map[string]string{}
	for _, p := range paths {
		etag, err := holdOnEdge(ehc, edge, p)
		if err != nil {
			return fd, err
		}
		old[p] = etag
	}
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		return fd, fmt.Errorf("SIGSTOP edge: %w", err)
	}
	stopped := time.Now()
	resumed := false
	resume := func() {
		if !resumed {
			syscall.Kill(pid, syscall.SIGCONT)
			resumed = true
		}
	}
	defer resume()
	for i, id := range ids {
		f := even
		if i%2 == 1 {
			f = odd
		}
		if _, err := api.upload(ctx, id, f.File, f.Data, map[string]string{"invalidate": "true"}); err != nil {
			return fd, err
		}
		fd.Purges++
	}
	// What the origin serves now (it makes the new derived images).
	want := map[string]string{}
	for _, p := range paths {
		f, err := getRetrying(ctx, ohc, origin, p)
		if err != nil || f.Status != 200 {
			return fd, fmt.Errorf("origin %s: %d %v", p, f.Status, err)
		}
		if f.ETag == old[p] {
			return fd, fmt.Errorf("origin %s: the overwrite kept ETag %s", p, f.ETag)
		}
		want[p] = f.ETag
	}
	// Requests that reach the stopped edge: answered once it resumes.
	var during sync.WaitGroup
	var mu sync.Mutex
	for _, p := range paths {
		during.Add(1)
		go func() {
			defer during.Done()
			f, err := get(ehc, edge, p)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil || f.Status != 200:
				fd.DuringFailed++
			case f.ETag == want[p]:
				fd.DuringFresh++
			default:
				fd.DuringStale++
			}
		}()
	}
	select {
	case <-ctx.Done():
		return fd, ctx.Err()
	case <-time.After(time.Until(stopped.Add(stop))):
	}
	fd.StopMs = ms(time.Since(stopped))
	resume()
	at := time.Now()
	fd.FreshMs = make([]float64, len(paths))
	var wg sync.WaitGroup
	for i, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fd.FreshMs[i] = -1
			for time.Since(at) <= freezeBound && ctx.Err() == nil {
				f, err := get(ehc, edge, p)
				if err == nil && f.Status == 200 && f.ETag == want[p] {
					fd.FreshMs[i] = ms(time.Since(at))
					return
				}
				time.Sleep(freezePoll)
			}
		}()
	}
	wg.Wait()
	during.Wait()
	for _, v := range fd.FreshMs {
		if v < 0 {
			fd.NotFresh++
		}
		fd.MaxFreshMs = max(fd.MaxFreshMs, v)
	}
	time.Sleep(time.Until(at.Add(freezeBound)))
	for _, p := range paths {
		f, err := get(ehc, edge, p)
		if err != nil {
			return fd, err
		}
		fd.Checked++
		if f.Status != 200 || f.ETag != want[p] {
			fd.StaleAfter++
			if fd.FirstStale == "" {
				fd.FirstStale = fmt.Sprintf("%s: %d ETag %s, origin %s (%s)", p, f.Status, f.ETag, want[p], f.CacheStatus)
			}
		}
	}
	return fd, ctx.Err()
}

// holdOnEdge makes sure the edge holds path (answers it from its cache)
// and returns its ETag.
func holdOnEdge(hc *fasthttp.HostClient, edge, path string) (string, error) {
	for try := 0; try < 50; try++ {
		f, err := get(hc, edge, path)
		if err != nil {
			return "", err
		}
		if f.Status == 200 && isHit([]byte(f.CacheStatus)) {
			return f.ETag, nil
		}
	}
	return "", fmt.Errorf("%s does not hold %s", edge, path)
}

// freezeTable is the frozen edge's detail table.
func freezeTable(fs []freezeData) Table {
	t := Table{Title: "Frozen edge", Detail: true, Header: []string{"stopped ms", "purges", "URLs", "fresh after resume p50 ms",
		"max ms", "not fresh within 2 s", "stale after 2 s", "sent during the stop: old / new / failed"}}
	for _, f := range fs {
		t.Rows = append(t.Rows, []string{f0(f.StopMs), fmt.Sprint(f.Purges), fmt.Sprint(f.URLs), f1(quantile(f.FreshMs, 0.5)),
			f1(f.MaxFreshMs), fmt.Sprint(f.NotFresh), fmt.Sprintf("%d of %d", f.StaleAfter, f.Checked),
			fmt.Sprintf("%d / %d / %d", f.DuringStale, f.DuringFresh, f.DuringFailed)})
	}
	return t
}
