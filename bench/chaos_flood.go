package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	// chaosFloodUploads concurrent uploads of chaosFloodMiB each, as issue
	// 15 sent them.
	chaosFloodUploads = 16
	chaosFloodMiB     = 95
	// chaosFloodGrowthMiB bounds the growth of the origin's peak RSS
	// during a flood. Streaming the bodies to temporary files grows it by
	// a few MiB (docs/configuration.md, Uploads in progress: 0 to 3 MiB
	// measured); reading them into memory grew it by 1.7 to 3.7 GiB.
	chaosFloodGrowthMiB = 64
)

// floodRun is one flood's outcome.
type floodRun struct {
	Statuses  map[string]int `json:"statuses"` // "401 Must supply api_key", "200", "error: …"
	Answers   []string       `json:"answers"`  // per upload: status and the start of the body
	Seconds   float64        `json:"seconds"`
	RSSBefore float64        `json:"rss_before_mib"`
	RSSPeak   float64        `json:"rss_peak_mib"`
	GrowthMiB float64        `json:"peak_growth_mib"` // RSSPeak − RSSBefore; 0 when not measured
	Stored    int            `json:"stored"`          // signed uploads answered 200 with every byte
}

// floodData is the upload flood case's figures.
type floodData struct {
	Uploads         int      `json:"uploads"`
	MiB             int      `json:"mib_each"`
	Unauthenticated floodRun `json:"unauthenticated"`
	Signed          floodRun `json:"signed"`
}

// chaosFlood sends the unauthenticated flood, then the signed one, and
// reads the origin's peak RSS around each.
func chaosFlood(ctx context.Context, e *env, d *chaosData) error {
	o := e.o
	c, err := startCluster(ctx, e, clusterSpec{UploadsPerClient: chaosFloodUploads})
	if err != nil {
		return err
	}
	defer c.Close()
	f := &floodData{Uploads: chaosFloodUploads, MiB: chaosFloodMiB}
	d.Flood = f
	size := int64(chaosFloodMiB) << 20
	pid := c.originPID
	spawned := c.mode == ServersSpawn
	endpoint := c.OriginURL + "/v1_1/" + o.Cloud

	f.Unauthenticated = flood(ctx, pid, endpoint+"/image/upload", size, func(int) [][2]string {
		return [][2]string{{"public_id", "chaos/flood/unauthenticated"}}
	})
	u := f.Unauthenticated
	refused := 0
	for st, n := range u.Statuses {
		if st == `401 {"error":{"message":"Must supply api_key"}}` || st == "420 Retry-After" {
			refused += n
		}
	}
	d.add(fmt.Sprintf("%d × %d MiB uploads without credentials, at once", chaosFloodUploads, chaosFloodMiB),
		fmt.Sprintf("every one 401 Must supply api_key (or 420 with Retry-After); peak RSS growth ≤ %d MiB", chaosFloodGrowthMiB),
		fmt.Sprintf("%s; %s", statusText(u.Statuses), growthText(u)),
		refused == chaosFloodUploads && growthOK(u))

	now := time.Now().Unix()
	ids := make([]string, chaosFloodUploads)
	f.Signed = flood(ctx, pid, endpoint+"/auto/upload", size, func(i int) [][2]string {
		ids[i] = fmt.Sprintf("chaos/flood/signed-%d", i)
		return signParams([][2]string{{"public_id", ids[i]}}, o.APIKey, o.APISecret, now)
	})
	s := &f.Signed
	limited := 0
	for _, a := range s.Answers {
		var r uploadResult
		status, body, _ := strings.Cut(a, " ")
		switch {
		case status == "200" && json.Unmarshal([]byte(body), &r) == nil && r.Bytes == size:
			s.Stored++
		case status == "420" && strings.HasPrefix(body, "Retry-After"):
			limited++
		}
	}
	expect := fmt.Sprintf("every one stored (200, every byte: uploads.per_client %d); peak RSS growth ≤ %d MiB",
		chaosFloodUploads, chaosFloodGrowthMiB)
	ok := s.Stored == chaosFloodUploads
	if !spawned {
		expect = fmt.Sprintf("stored (200), or 420 with Retry-After past the origin's limits; peak RSS growth ≤ %d MiB", chaosFloodGrowthMiB)
		ok = s.Stored > 0 && s.Stored+limited == chaosFloodUploads
	}
	d.add(fmt.Sprintf("%d × %d MiB signed uploads, at once", chaosFloodUploads, chaosFloodMiB), expect,
		fmt.Sprintf("%d stored; %s; %s", s.Stored, statusText(s.Statuses), growthText(*s)), ok && growthOK(*s))
	// Running servers keep what they store: take the raw files away.
	if !spawned {
		api := newAPIClient(c.OriginURL, o)
		for _, id := range ids {
			api.destroy(ctx, "raw", id)
		}
	}
	return ctx.Err()
}

// growthOK says whether a flood's RSS growth is within its bound (true
// when it could not be measured: the row then says so).
func growthOK(r floodRun) bool { return r.RSSBefore == 0 || r.GrowthMiB <= chaosFloodGrowthMiB }

func growthText(r floodRun) string {
	if r.RSSBefore == 0 {
		return "RSS not measurable (the origin's process is not known)"
	}
	return fmt.Sprintf("RSS %s MiB before, peak %s MiB (+%s MiB), %s s", f0(r.RSSBefore), f0(r.RSSPeak), f0(r.GrowthMiB), f1(r.Seconds))
}

// statusText lists how many answers had each status, most first.
func statusText(m map[string]int) string {
	keys := slices.Collect(maps.Keys(m))
	sort.Slice(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] || m[keys[i]] == m[keys[j]] && keys[i] < keys[j] })
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d × %s", m[k], tail(k, 80)))
	}
	return strings.Join(parts, ", ")
}

// flood sends chaosFloodUploads concurrent multipart uploads of size
// bytes to url, fields made by fieldsFor(i), and measures the origin's
// (pid's) RSS before and its peak meanwhile.
func flood(ctx context.Context, pid int, url string, size int64, fieldsFor func(i int) [][2]string) floodRun {
	r := floodRun{Statuses: map[string]int{}, Answers: make([]string, chaosFloodUploads)}
	if pid > 0 {
		r.RSSBefore = rssMiB(pid)
		resetPeakRSS(pid)
	}
	stop := sampleRSS(pid, 20*time.Millisecond)
	hc := &http.Client{Timeout: 5 * time.Minute}
	start := time.Now()
	var wg sync.WaitGroup
	for i := range chaosFloodUploads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.Answers[i] = postStreamed(ctx, hc, url, fieldsFor(i), size)
		}()
	}
	wg.Wait()
	r.Seconds = time.Since(start).Seconds()
	r.RSSPeak = stop()
	if pid > 0 {
		r.RSSPeak = max(r.RSSPeak, peakRSSMiB(pid))
		r.GrowthMiB = max(r.RSSPeak-r.RSSBefore, 0)
	}
	for _, a := range r.Answers {
		key := a
		if strings.HasPrefix(a, "200 ") {
			key = "200"
		}
		r.Statuses[key]++
	}
	return r
}

// postStreamed posts a multipart body of fields and a file part of size
// random bytes, generated as it is sent (the bench holds 64 KiB of it),
// and returns the answer's status and body ("420 Retry-After: 1" for a
// 420 with that header; "error: …" without an answer).
func postStreamed(ctx context.Context, hc *http.Client, url string, fields [][2]string, size int64) string {
	ct, body, n := streamedForm(fields, size)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, body)
	if err != nil {
		return "error: " + err.Error()
	}
	req.ContentLength = n
	req.Header.Set("Content-Type", ct)
	resp, err := hc.Do(req)
	if err != nil {
		return "error: " + err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode == 420 && resp.Header.Get("Retry-After") != "" {
		return "420 Retry-After"
	}
	return strconv.Itoa(resp.StatusCode) + " " + strings.TrimSpace(string(b))
}

// streamedForm is a multipart body: fields, then a file part of size
// bytes (a random 64 KiB block repeated), generated as it is read.
func streamedForm(fields [][2]string, size int64) (contentType string, body io.Reader, length int64) {
	var head, end bytes.Buffer
	w := multipart.NewWriter(&head)
	for _, f := range fields {
		w.WriteField(f[0], f[1])
	}
	w.CreateFormFile("file", "flood.bin")
	// What Close writes after the file part goes to end.
	boundary := w.Boundary()
	fmt.Fprintf(&end, "\r\n--%s--\r\n", boundary)
	block := make([]byte, 64<<10)
	rand.Read(block)
	content := io.LimitReader(&repeatReader{block: block}, size)
	return w.FormDataContentType(), io.MultiReader(bytes.NewReader(head.Bytes()), content, bytes.NewReader(end.Bytes())),
		int64(head.Len()) + size + int64(end.Len())
}

// repeatReader repeats block forever.
type repeatReader struct {
	block []byte
	off   int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := copy(p, r.block[r.off:])
	r.off = (r.off + n) % len(r.block)
	return n, nil
}

// signParams adds timestamp, signature and api_key to an upload's fields,
// signed as the SDKs sign them: SHA-1 of the sorted name=value pairs
// joined with & (the signed ones: every field but file, api_key,
// resource_type, type and cloud_name) followed by the secret.
func signParams(fields [][2]string, key, secret string, ts int64) [][2]string {
	vals := url.Values{}
	for _, f := range fields {
		vals.Add(f[0], f[1])
	}
	vals.Set("timestamp", strconv.FormatInt(ts, 10))
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(vals)) {
		parts = append(parts, k+"="+strings.Join(vals[k], ","))
	}
	sum := sha1.Sum([]byte(strings.Join(parts, "&") + secret))
	return append(slices.Clone(fields), [2]string{"timestamp", strconv.FormatInt(ts, 10)},
		[2]string{"signature", hex.EncodeToString(sum[:])}, [2]string{"api_key", key})
}

// floodTable is the upload flood's detail table.
func floodTable(f *floodData) Table {
	t := Table{Title: fmt.Sprintf("Upload flood: %d × %d MiB at once", f.Uploads, f.MiB), Detail: true,
		Header: []string{"uploads", "answers", "seconds", "RSS before MiB", "peak MiB", "growth MiB"}}
	for _, r := range []struct {
		name string
		run  floodRun
	}{{"without credentials", f.Unauthenticated}, {"signed", f.Signed}} {
		t.Rows = append(t.Rows, []string{r.name, statusText(r.run.Statuses), f1(r.run.Seconds), orNA(r.run.RSSBefore, f0),
			orNA(r.run.RSSPeak, f0), f0(r.run.GrowthMiB)})
	}
	return t
}
