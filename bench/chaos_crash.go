package bench

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

const (
	// crashClients upload without pause; the origin is killed once
	// crashAcks uploads are acknowledged, or after crashWait.
	crashClients = 6
	crashAcks    = 40
	crashWait    = 30 * time.Second
	crashPrefix  = "chaos/crash/"
)

// crashData is the SIGKILL case's figures.
type crashData struct {
	Acked      int `json:"acknowledged"`
	Unanswered int `json:"unanswered"` // uploads in flight at the kill, never answered
	// RestartMs is from the kill until the restarted origin answered
	// /healthz.
	RestartMs   float64  `json:"restart_ms"`
	UploadAfter string   `json:"upload_after_restart"` // "ok" or the error
	Intact      int      `json:"acknowledged_intact"`
	Lost        []string `json:"lost,omitempty"` // acknowledged uploads not found intact, and why
	Listed      int      `json:"listed"`         // assets under the prefix after the restart
	Whole       int      `json:"listed_whole"`
	Broken      []string `json:"broken,omitempty"`
}

// ack is an acknowledged upload.
type ack struct {
	id      string
	version int64
	etag    string
}

// chaosCrash kills the origin with SIGKILL in the middle of concurrent
// uploads, starts it again on the same data directory, and checks every
// acknowledged upload and every listed asset (origin/storage_crash_test.go's
// TestUploadsSurviveSIGKILL, through the APIs).
func chaosCrash(ctx context.Context, e *env, d *chaosData) error {
	const name, expect = "SIGKILL during uploads, restart on the same data", "every acknowledged upload there, its bytes matching its etag"
	if e.o.OriginURL != "" {
		d.skip(name, expect, errNeedsSpawn.Error())
		return nil
	}
	c, err := startCluster(ctx, e, clusterSpec{})
	if err != nil {
		return err
	}
	defer c.Close()
	var files []photo
	for _, f := range []string{"rocket.jpg", "chelsea.png", "coffee.png"} {
		p, err := findPhoto(e.photos, f)
		if err != nil {
			return err
		}
		files = append(files, p)
	}
	api := newAPIClient(c.OriginURL, e.o)
	cd := &crashData{}
	d.Crash = cd
	var (
		mu         sync.Mutex
		acks       []ack
		n, acked   atomic.Int64
		unanswered atomic.Int64
		killedAt   atomic.Int64 // UnixNano of the SIGKILL
		stop       = make(chan struct{})
		wg         sync.WaitGroup
	)
	for range crashClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				i := n.Add(1)
				id := fmt.Sprintf("%s%d", crashPrefix, i)
				if i%5 == 0 {
					id = crashPrefix + "same" // overwrites race with the kill too
				}
				f := files[i%int64(len(files))]
				sent := time.Now().UnixNano()
				r, err := api.upload(ctx, id, f.File, f.Data, nil)
				if err != nil {
					if k := killedAt.Load(); k != 0 && sent < k {
						unanswered.Add(1) // in flight at the kill
					}
					continue
				}
				mu.Lock()
				acks = append(acks, ack{r.PublicID, r.Version, r.ETag})
				mu.Unlock()
				acked.Add(1)
			}
		}()
	}
	for deadline := time.Now().Add(crashWait); acked.Load() < crashAcks && time.Now().Before(deadline) && ctx.Err() == nil; {
		time.Sleep(5 * time.Millisecond)
	}
	killed := time.Now()
	killedAt.Store(killed.UnixNano())
	kerr := c.killOrigin()
	close(stop)
	wg.Wait()
	if kerr != nil {
		return kerr
	}
	cd.Acked, cd.Unanswered = len(acks), int(unanswered.Load())
	if err := c.restartOrigin(ctx); err != nil {
		return fmt.Errorf("restart after SIGKILL: %w", err)
	}
	cd.RestartMs = ms(time.Since(killed))
	cd.UploadAfter = "ok"
	if _, err := api.upload(ctx, crashPrefix+"after-restart", files[0].File, files[0].Data, nil); err != nil {
		cd.UploadAfter = err.Error()
	}
	checkAcks(ctx, c, api, e.o.Cloud, acks, cd)
	checkListed(ctx, c, api, e.o.Cloud, cd)
	d.add(name, expect+fmt.Sprintf(" (%d acknowledged before the kill)", crashAcks),
		fmt.Sprintf("%d acknowledged, %d cut off by the kill; %d intact after a restart in %s ms%s", cd.Acked, cd.Unanswered,
			cd.Intact, f0(cd.RestartMs), firstOf(cd.Lost)),
		cd.Acked >= crashAcks && cd.Intact == cd.Acked)
	d.add("after the restart: every asset listed, and a new upload", "every listed asset whole (bytes match its etag); the upload 200",
		fmt.Sprintf("%d listed, %d whole%s; upload after the restart: %s", cd.Listed, cd.Whole, firstOf(cd.Broken), tail(cd.UploadAfter, 100)),
		cd.Listed > 0 && cd.Whole == cd.Listed && cd.UploadAfter == "ok")
	return ctx.Err()
}

// checkAcks finds every acknowledged upload on the restarted origin: the
// version acknowledged (for the overwritten ID, that one or a later one),
// and bytes whose MD5 is its etag.
func checkAcks(ctx context.Context, c *cluster, api *apiClient, cloud string, acks []ack, cd *crashData) {
	hc, err := newHostClient(c.OriginURL, 1, time.Minute)
	if err != nil {
		cd.Lost = append(cd.Lost, err.Error())
		return
	}
	defer hc.CloseIdleConnections()
	for _, a := range acks {
		got, err := api.asset(ctx, a.id)
		switch {
		case err != nil:
			cd.Lost = append(cd.Lost, a.id+": "+err.Error())
		case a.id == crashPrefix+"same" && got.Version < a.version:
			cd.Lost = append(cd.Lost, fmt.Sprintf("%s: version %d, acknowledged %d", a.id, got.Version, a.version))
		case a.id != crashPrefix+"same" && (got.Version != a.version || got.ETag != a.etag):
			cd.Lost = append(cd.Lost, fmt.Sprintf("%s: version %d etag %s, acknowledged %d %s", a.id, got.Version, got.ETag, a.version, a.etag))
		default:
			if why := wholeAt(hc, c.OriginURL, cloud, *got); why != "" {
				cd.Lost = append(cd.Lost, why)
				continue
			}
			cd.Intact++
		}
	}
}

// checkListed checks that every asset under the prefix is whole.
func checkListed(ctx context.Context, c *cluster, api *apiClient, cloud string, cd *crashData) {
	listed, err := api.list(ctx, crashPrefix)
	if err != nil {
		cd.Broken = append(cd.Broken, "list: "+err.Error())
		return
	}
	hc, err := newHostClient(c.OriginURL, 1, time.Minute)
	if err != nil {
		cd.Broken = append(cd.Broken, err.Error())
		return
	}
	defer hc.CloseIdleConnections()
	cd.Listed = len(listed)
	for _, a := range listed {
		if why := wholeAt(hc, c.OriginURL, cloud, a); why != "" {
			cd.Broken = append(cd.Broken, why)
			continue
		}
		cd.Whole++
	}
}

// wholeAt fetches an asset's version from the origin and says what is
// wrong with it: "" when it answers 200 with bytes whose MD5 is its ETag
// (and the etag the Admin API gave, when it gave one).
func wholeAt(hc *fasthttp.HostClient, base, cloud string, a assetEntry) string {
	path := deliveryPath(cloud, variant{Ext: a.Format}, a.Version, a.PublicID)
	f, err := get(hc, base, path)
	if err != nil {
		return path + ": " + err.Error()
	}
	sum := md5hex(f.Body)
	switch {
	case f.Status != 200:
		return fmt.Sprintf("%s: %d %s", path, f.Status, f.Error)
	case f.ETag != `"`+sum+`"`:
		return fmt.Sprintf("%s: %d bytes with MD5 %s under ETag %s", path, len(f.Body), sum, f.ETag)
	case a.ETag != "" && a.ETag != sum:
		return fmt.Sprintf("%s: bytes with MD5 %s, etag %s", path, sum, a.ETag)
	}
	return ""
}

func firstOf(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d wrong, first: %s)", len(s), tail(s[0], 150))
}

// md5hex is the lowercase hex MD5 of b.
func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}
