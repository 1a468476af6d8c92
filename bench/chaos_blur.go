package bench

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
)

const (
	// chaosImagingTimeout is the imaging.timeout of the blur case's
	// spawned origin: far shorter than the slow chain's work, so that it
	// really runs into the deadline.
	chaosImagingTimeout = time.Second
	// chaosSlotBound is how soon after the deadline the transform slots
	// must be free again. It is generous: the kill frees them within
	// milliseconds (docs/configuration.md, imaging.timeout), while an
	// origin that lets libvips run on holds them for the whole chain's
	// work, about 8 s here (minutes for issue 15's chains before the cost
	// budget).
	chaosSlotBound = 2 * time.Second
	// chaosRSSBudgetMiB is how far above its RSS before the case the
	// origin's RSS must come back once the killed transforms are gone.
	chaosRSSBudgetMiB = 64
	// chaosRSSReturn bounds that return: freed memory goes back to the OS
	// every imaging.release_interval (10 s by default).
	chaosRSSReturn = 15 * time.Second
	// slowBlurs is how many e_blur:1998 follow the upscale in the slow
	// chain: the most the default cost budget accepts after w_8000 (nine
	// cost more than 10 s).
	slowBlurs = 8
)

// blurAnswer is one request of the blur case.
type blurAnswer struct {
	Path   string  `json:"path"`
	Status int     `json:"status"` // 0: no answer
	Error  string  `json:"error,omitempty"`
	Ms     float64 `json:"ms"` // from sending it to its answer
}

// blurData is the blur case's figures.
type blurData struct {
	// TimeoutMs is the origin's imaging.timeout: chaosImagingTimeout for
	// a spawned one, as -imaging-timeout says for a running one.
	TimeoutMs float64      `json:"imaging_timeout_ms"`
	Workers   int          `json:"workers"`
	Chain     blurAnswer   `json:"ten_blurs"`
	Refused   blurAnswer   `json:"upscale_then_ten_blurs"`
	Slow      []blurAnswer `json:"upscale_then_eight_blurs"`
	Following []blurAnswer `json:"following_transforms"`
	// SlotsFreeMs is from the deadline (or the last answer, when that came
	// first) until mediacdn_origin_transforms_busy read 0, polled every
	// 10 ms (without the gauge: until new transforms were answered); -1
	// when that was not within chaosSlotBound + 1 s.
	SlotsFreeMs float64 `json:"slots_free_after_deadline_ms"`
	// FromDeadline says that SlotsFreeMs counts from the deadline.
	FromDeadline bool    `json:"from_deadline"`
	BusyMax      float64 `json:"busy_max"` // the gauge's largest reading meanwhile
	RSSBefore    float64 `json:"rss_before_mib"`
	RSSPeak      float64 `json:"rss_peak_mib"`
	RSSAfter     float64 `json:"rss_after_mib"`
	// RSSBackMs is from the slots being free until the RSS was under
	// RSSBefore + chaosRSSBudgetMiB; -1 when it was not within
	// chaosRSSReturn.
	RSSBackMs float64 `json:"rss_back_ms"`
}

// chaosBlur sends issue 15's blur chain, its variant after an upscale,
// and chains that run into the deadline, and watches the transform slots
// and the origin's memory.
func chaosBlur(ctx context.Context, e *env, d *chaosData) error {
	o := e.o
	c, err := startCluster(ctx, e, clusterSpec{ImagingTimeout: chaosImagingTimeout})
	if err != nil {
		return err
	}
	defer c.Close()
	lady, err := findPhoto(e.photos, "LadyBird.jpg")
	if err != nil {
		return err
	}
	rocket, err := findPhoto(e.photos, "rocket.jpg")
	if err != nil {
		return err
	}
	// Uploaded afresh, so that every derived image is new to the origin
	// (a new version) even on a running one that served earlier runs.
	api := newAPIClient(c.OriginURL, o)
	ladyID, rocketID := "bench/chaos-ladybird", "bench/chaos-rocket"
	if _, err := api.upload(ctx, ladyID, lady.File, lady.Data, nil); err != nil {
		return err
	}
	if _, err := api.upload(ctx, rocketID, rocket.File, rocket.Data, nil); err != nil {
		return err
	}
	spawned := c.mode == ServersSpawn
	deadline := o.ImagingTimeout
	if spawned {
		deadline = chaosImagingTimeout
	}
	b := &blurData{TimeoutMs: ms(deadline), Workers: runtime.NumCPU(), SlotsFreeMs: -1, RSSBackMs: -1}
	d.Blur = b
	if m, err := scrapeMetrics(c.OriginMetrics); err == nil && m["mediacdn_origin_transform_workers"] > 0 {
		b.Workers = int(m["mediacdn_origin_transform_workers"])
	}
	hc, err := newHostClient(c.OriginURL, 2*b.Workers+2, 2*time.Minute)
	if err != nil {
		return err
	}
	defer hc.CloseIdleConnections()
	pid := c.originPID
	b.RSSBefore = rssMiB(pid)
	resetPeakRSS(pid)
	stopRSS := sampleRSS(pid, 20*time.Millisecond)
	base := "/" + o.Cloud + "/image/upload/"
	ten := strings.Repeat("e_blur:1998/", 10)

	// By the deadline: an answer, 200 or 504, within chaosSlotBound of it.
	byDeadline := func(a blurAnswer) bool {
		return (a.Status == 200 || a.Status == 504) && a.Ms <= ms(deadline+chaosSlotBound)
	}
	b.Chain = timedGet(hc, c.OriginURL, base+ten+ladyID+".jpg")
	d.add("blur chain: ten e_blur:1998 (2560×1600 JPEG)",
		fmt.Sprintf("accepted: 200, or 504 at the %v deadline (not 400), within %v of it", deadline, chaosSlotBound),
		b.Chain.text(), byDeadline(b.Chain))
	b.Refused = timedGet(hc, c.OriginURL, base+"w_8000/"+ten+ladyID+".png")
	d.add("blur chain after an upscale: w_8000, ten e_blur:1998, PNG", "400 Transformation too expensive, before any pixel",
		b.Refused.text(), b.Refused.Status == 400 && strings.HasPrefix(b.Refused.Error, "Transformation too expensive"))

	// As many slow chains as there are workers, each a distinct derived
	// image (q_ differs), all in flight at once.
	start := time.Now()
	b.Slow = make([]blurAnswer, b.Workers)
	var wg sync.WaitGroup
	for i := range b.Slow {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := fmt.Sprintf("%sw_8000,q_%d/%s%s.jpg", base, 70+i, strings.Repeat("e_blur:1998/", slowBlurs), ladyID)
			b.Slow[i] = timedGet(hc, c.OriginURL, path)
		}()
	}
	busyDone := watchBusy(c.OriginMetrics, &b.BusyMax)
	wg.Wait()
	answered := time.Now()
	ref := start.Add(deadline)
	if b.FromDeadline = ref.Before(answered); !b.FromDeadline {
		ref = answered // answered before the deadline
	}
	freed := time.Time{}
	if c.OriginMetrics != "" {
		freed = waitIdle(ctx, c.OriginMetrics, ref.Add(chaosSlotBound+time.Second))
	}
	busyDone()
	// New transforms right after: they must find free slots.
	b.Following = make([]blurAnswer, b.Workers)
	for i := range b.Following {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.Following[i] = timedGet(hc, c.OriginURL, fmt.Sprintf("%sw_%d,q_80/%s.jpg", base, 100+i, rocketID))
		}()
	}
	wg.Wait()
	if c.OriginMetrics == "" {
		freed = time.Now() // the following transforms' answers bound it
	}
	if !freed.IsZero() {
		b.SlotsFreeMs = ms(freed.Sub(ref))
	}
	limit := b.RSSBefore + chaosRSSBudgetMiB
	from := freed
	if from.IsZero() {
		from = time.Now()
	}
	for pid > 0 && ctx.Err() == nil {
		b.RSSAfter = rssMiB(pid)
		if b.RSSAfter <= limit {
			b.RSSBackMs = ms(time.Since(from))
			break
		}
		if time.Since(from) > chaosRSSReturn {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.RSSPeak = max(stopRSS(), peakRSSMiB(pid))
	blurRows(d, b, spawned, deadline, byDeadline, limit, pid > 0)
	return ctx.Err()
}

// blurRows adds the slow chains' rows: a spawned origin's deadline is
// far shorter than their work, so they must answer 504; a running one's
// may be long enough for a 200.
func blurRows(d *chaosData, b *blurData, spawned bool, deadline time.Duration, byDeadline func(blurAnswer) bool, limit float64, measurable bool) {
	var statuses, times []string
	slowOK := true
	for _, a := range b.Slow {
		statuses, times = append(statuses, fmt.Sprint(a.Status)), append(times, f0(a.Ms))
		slowOK = slowOK && byDeadline(a) && (a.Status == 504 || !spawned)
	}
	followOK := len(b.Following) > 0
	var fstatus []string
	worst := 0.0
	for _, a := range b.Following {
		followOK = followOK && a.Status == 200
		fstatus = append(fstatus, fmt.Sprint(a.Status))
		worst = max(worst, a.Ms)
	}
	freeText := "not free within the bound"
	if b.SlotsFreeMs >= 0 {
		freeText = fmt.Sprintf("slots free %s ms after the %s", f0(b.SlotsFreeMs), map[bool]string{true: "deadline", false: "answers"}[b.FromDeadline])
	}
	name := fmt.Sprintf("%d at once: w_8000, %d e_blur:1998 (within the budget, seconds of work)", len(b.Slow), slowBlurs)
	expect := fmt.Sprintf("504 at the %v deadline; slots free ≤ %v after it; new transforms then 200", deadline, chaosSlotBound)
	if !spawned {
		expect = fmt.Sprintf("200, or 504 at the %v deadline (-imaging-timeout); answers and free slots ≤ %v after it; new transforms then 200",
			deadline, chaosSlotBound)
	}
	d.add(name, expect, fmt.Sprintf("%s after %s ms; %s (busy gauge max %s); new transforms %s in ≤ %s ms",
		strings.Join(statuses, ", "), strings.Join(times, ", "), freeText, f0(b.BusyMax), strings.Join(fstatus, ", "), f0(worst)),
		slowOK && followOK && b.SlotsFreeMs >= 0 && b.SlotsFreeMs <= ms(chaosSlotBound))
	if !measurable {
		return
	}
	back := fmt.Sprintf("%s MiB %v after the slots were free", f0(b.RSSAfter), chaosRSSReturn)
	if b.RSSBackMs >= 0 {
		back = fmt.Sprintf("%s MiB %s ms after the slots were free", f0(b.RSSAfter), f0(b.RSSBackMs))
	}
	d.add("origin RSS after the blur chains",
		fmt.Sprintf("back under RSS before + %d MiB within %v", chaosRSSBudgetMiB, chaosRSSReturn),
		fmt.Sprintf("before %s MiB, peak %s MiB, %s (limit %s MiB)", f0(b.RSSBefore), f0(b.RSSPeak), back, f0(limit)),
		b.RSSBackMs >= 0 && b.RSSBackMs <= ms(chaosRSSReturn))
}

// text is an answer as a table cell.
func (a blurAnswer) text() string {
	s := fmt.Sprintf("%d in %s ms", a.Status, f0(a.Ms))
	if a.Error != "" {
		s += ": " + tail(a.Error, 100)
	}
	return s
}

// timedGet GETs base+path and times it.
func timedGet(hc *fasthttp.HostClient, base, path string) blurAnswer {
	t0 := time.Now()
	f, err := get(hc, base, path)
	a := blurAnswer{Path: path, Status: f.Status, Error: f.Error, Ms: ms(time.Since(t0))}
	if err != nil {
		a.Error = err.Error()
	}
	return a
}

// watchBusy polls the origin's transforms_busy gauge every 10 ms, keeping
// its largest reading in top, until stop is called.
func watchBusy(metricsURL string, top *float64) (stop func()) {
	if metricsURL == "" {
		return func() {}
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		for {
			if m, err := scrapeMetrics(metricsURL); err == nil {
				*top = max(*top, m["mediacdn_origin_transforms_busy"])
			}
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// waitIdle polls the origin's transforms_busy gauge every 10 ms until it
// reads 0, and returns when it did; zero when it did not before until.
func waitIdle(ctx context.Context, metricsURL string, until time.Time) time.Time {
	for ctx.Err() == nil && time.Now().Before(until) {
		if m, err := scrapeMetrics(metricsURL); err == nil && m["mediacdn_origin_transforms_busy"] == 0 {
			return time.Now()
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Time{}
}

// blurTable is the blur case's detail table.
func blurTable(b *blurData) Table {
	t := Table{Title: "Blur chain: requests", Detail: true, Header: []string{"request", "status", "ms", "error"}}
	add := func(name string, a blurAnswer) {
		t.Rows = append(t.Rows, []string{name + ": `" + a.Path + "`", fmt.Sprint(a.Status), f0(a.Ms), a.Error})
	}
	add("ten blurs", b.Chain)
	add("after an upscale", b.Refused)
	for _, a := range b.Slow {
		add("slow", a)
	}
	for _, a := range b.Following {
		add("following", a)
	}
	return t
}
