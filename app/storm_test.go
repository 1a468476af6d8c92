package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// errorLog counts the records logged at error level and keeps the first.
type errorLog struct {
	n     atomic.Int64
	first atomic.Value // string
}

func (l *errorLog) Enabled(_ context.Context, level slog.Level) bool { return level >= slog.LevelError }
func (l *errorLog) Handle(_ context.Context, r slog.Record) error {
	if l.n.Add(1) == 1 {
		msg := r.Message
		r.Attrs(func(a slog.Attr) bool { msg += " " + a.String(); return true })
		l.first.Store(msg)
	}
	return nil
}
func (l *errorLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *errorLog) WithGroup(string) slog.Handler      { return l }

// stormAnswer is one response of the storm test.
type stormAnswer struct {
	status     int
	retryAfter string
	cldError   string
}

// stormGet fetches url with client and keeps what the storm test checks.
func stormGet(t *testing.T, client *http.Client, url string) stormAnswer {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Error(err)
		return stormAnswer{}
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return stormAnswer{resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("X-Cld-Error")}
}

// A storm of distinct new transformations against an origin with one
// transform worker and a queue of one, through an edge with small origin
// connection budgets: the edge answers every storm request 200 or 503 with
// Retry-After (the origin's shedding passed through, or the edge's own when
// its transformation connections are all busy), never 502, and originals
// requested meanwhile (distinct URLs, so each is an origin fill) all
// answer 200: their fills do not wait behind the transformations. Shedding
// is an answer, not a failure: nothing is logged as an error.
func TestTransformStormShedsAndOriginalsFlow(t *testing.T) {
	errs := &errorLog{}
	c := startCluster(t, ClusterOptions{Log: slog.New(errs), Configure: func(f *File) {
		f.Origin.Imaging.Workers = 1
		f.Origin.Imaging.Queue = 1
		f.Edge.OriginMaxConns = 8
		f.Edge.OriginTransformConns = 4
	}})
	call(t, c, "upload", map[string]string{"public_id": "pic"}, "rocket.jpg")
	edge := c.EdgeURLs[0]
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer client.CloseIdleConnections()
	const derived = "/demo/image/upload/c_fill,h_64,w_64/pic.jpg"
	if a := stormGet(t, client, c.OriginURL+derived); a.status != http.StatusOK {
		t.Fatalf("deriving before the storm: %+v", a)
	}

	const stormers = 32
	var (
		stop, shed   atomic.Bool
		next         atomic.Int64
		mu           sync.Mutex
		statuses     = map[int]int{}
		badAnswers   []stormAnswer
		wg           sync.WaitGroup
		firstShed    = make(chan struct{})
		firstShedNow sync.Once
	)
	for range stormers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				n := next.Add(1)
				a := stormGet(t, client, edge+"/demo/image/upload/w_"+strconv.FormatInt(10+n%2000, 10)+
					",h_"+strconv.FormatInt(10+n/2000, 10)+",c_fill/pic.jpg")
				mu.Lock()
				statuses[a.status]++
				if !(a.status == http.StatusOK || a.status == http.StatusServiceUnavailable && a.retryAfter != "") {
					badAnswers = append(badAnswers, a)
				}
				mu.Unlock()
				if a.status == http.StatusServiceUnavailable && !shed.Swap(true) {
					firstShedNow.Do(func() { close(firstShed) })
				}
			}
		}()
	}
	// The originals are asked for once the origin sheds, and the storm
	// goes on until they are all answered. Between them, the derived image
	// made before the storm is asked for at the origin itself (served from
	// its store, never waiting for the transform pool), and through the
	// edge under distinct versions (a fill on the edge's transformation
	// budget: 200, or 503 with Retry-After while that budget is busy).
	<-firstShed
	var originals, storedAtOrigin []stormAnswer
	derivedAtEdge := map[int]int{}
	for v := 1; v <= 60; v++ {
		originals = append(originals, stormGet(t, client, edge+"/demo/image/upload/v"+strconv.Itoa(v)+"/pic.jpg"))
		storedAtOrigin = append(storedAtOrigin, stormGet(t, client, c.OriginURL+derived))
		a := stormGet(t, client, edge+"/demo/image/upload/c_fill,h_64,w_64/v"+strconv.Itoa(v)+"/pic.jpg")
		derivedAtEdge[a.status]++
		if !(a.status == http.StatusOK || a.status == http.StatusServiceUnavailable && a.retryAfter != "") {
			t.Errorf("a derived image through the edge during the storm: %+v", a)
		}
	}
	stop.Store(true)
	wg.Wait()

	t.Logf("storm statuses: %v; stored derived image through the edge: %v", statuses, derivedAtEdge)
	for _, a := range storedAtOrigin {
		if a.status != http.StatusOK {
			t.Errorf("the stored derived image at the origin during the storm: %+v", a)
			break
		}
	}
	if len(badAnswers) > 0 {
		t.Errorf("%d storm answers neither 200 nor 503 with Retry-After, e.g. %+v", len(badAnswers), badAnswers[0])
	}
	if statuses[http.StatusOK] == 0 {
		t.Errorf("no transformation succeeded during the storm: %v", statuses)
	}
	failed := 0
	for _, a := range originals {
		if a.status != http.StatusOK {
			if failed == 0 {
				t.Errorf("an original during the storm: %+v", a)
			}
			failed++
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d originals failed during the storm", failed, len(originals))
	}
	if n := errs.n.Load(); n > 0 {
		t.Errorf("%d errors logged during the storm, the first: %v", n, errs.first.Load())
	}
}
