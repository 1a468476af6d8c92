package origin_test

import (
	"context"
	"crypto/md5"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/origin/blob"
	"github.com/mediacdn/mediacdn/origin/meta"

	"github.com/mediacdn/mediacdn/delivery"
)

// TestCrashChild is the origin process the crash test kills; it only runs
// when the parent test starts it.
func TestCrashChild(t *testing.T) {
	dir, addr := os.Getenv("MEDIACDN_CRASH_DATA"), os.Getenv("MEDIACDN_CRASH_ADDR")
	if dir == "" {
		t.Skip("helper process for TestUploadsSurviveSIGKILL")
	}
	serveChildOrigin(t, origin.Config{DataDir: dir}, addr) // until SIGKILL
}

func startCrashChild(t *testing.T, dir, addr string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), "MEDIACDN_CRASH_DATA="+dir, "MEDIACDN_CRASH_ADDR="+addr)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	// http.Get, not testkit.Get: it fails until the child listens.
	testkit.CheckFor(t, 20*time.Second, func() error {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return fmt.Errorf("crash child did not start: %w", err)
		}
		resp.Body.Close()
		return nil
	})
	return cmd
}

type acked struct {
	publicID string
	version  int64
	etag     string
}

// Nothing acknowledged is lost: SIGKILL an origin in the middle of
// concurrent uploads; after restart every acknowledged asset is intact, and
// every asset the store shows is complete.
func TestUploadsSurviveSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := t.TempDir()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	child := startCrashChild(t, dir, addr)
	files := [][]byte{testkit.Read(t, "rocket.jpg"), testkit.Read(t, "chelsea.png"), testkit.Read(t, "coffee.png")}

	var (
		mu      sync.Mutex
		acks    []acked
		ackN    atomic.Int64
		wg      sync.WaitGroup
		stop    = make(chan struct{})
		counter atomic.Int64
	)
	stopWorkers := sync.OnceFunc(func() { close(stop); wg.Wait() })
	defer stopWorkers() // when the wait below fails the test too
	client := &http.Client{Timeout: 10 * time.Second}
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				n := counter.Add(1)
				id := fmt.Sprintf("crash/%d", n)
				if n%5 == 0 {
					id = "crash/same" // overwrites race with the kill too
				}
				ct, body := form(t, [][2]string{{"public_id", id}}, "f", files[n%3])
				req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/v1_1/demo/image/upload", body)
				req.Header.Set("Content-Type", ct)
				req.SetBasicAuth(apiKey, apiSecret)
				resp, err := client.Do(req)
				if err != nil {
					continue // killed mid-request: not acknowledged
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				var r struct {
					PublicID string `json:"public_id"`
					Version  int64  `json:"version"`
					ETag     string `json:"etag"`
				}
				if resp.StatusCode != 200 || json.Unmarshal(b, &r) != nil {
					continue
				}
				mu.Lock()
				acks = append(acks, acked{r.PublicID, r.Version, r.ETag})
				mu.Unlock()
				ackN.Add(1)
			}
		}(w)
	}
	testkit.Eventually(t, testkit.Timeout, "40 acknowledged uploads", func() bool { return ackN.Load() >= 40 })
	child.Process.Signal(syscall.SIGKILL)
	child.Wait()
	stopWorkers()

	// Restart: the origin opens the same data directory and serves.
	startCrashChild(t, dir, addr) // killed when the test ends
	ct, body := form(t, [][2]string{{"public_id", "after-restart"}}, "f", files[0])
	if status, resp := post(t, "http://"+addr+"/v1_1/demo/image/upload", ct, body, true); status != 200 {
		t.Fatalf("upload after restart: %d %s", status, resp)
	}

	store, err := meta.OpenSQLite(filepath.Join(dir, "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	blobs, err := blob.NewFS(filepath.Join(dir, "blobs"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	maxSame := int64(0)
	for _, a := range acks {
		got, err := store.Asset(context.Background(), meta.Key{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, PublicID: a.publicID})
		if err != nil {
			t.Fatalf("acknowledged %s lost: %v", a.publicID, err)
		}
		if a.publicID == "crash/same" {
			maxSame = max(maxSame, a.version)
			continue
		}
		if got.Version != a.version || got.ETag != a.etag {
			t.Fatalf("acknowledged %s changed: %+v vs %+v", a.publicID, got, a)
		}
	}
	if maxSame > 0 {
		got, _ := store.Asset(context.Background(), meta.Key{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, PublicID: "crash/same"})
		if got.Version < maxSame {
			t.Fatalf("overwritten asset went back to version %d, acknowledged %d", got.Version, maxSame)
		}
	}
	// Every visible asset is whole: its blob exists and matches its etag.
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "meta.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT public_id, blob, etag, bytes FROM assets`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id, key, etag string
		var size int64
		rows.Scan(&id, &key, &etag, &size)
		data, err := blob.ReadAll(blobs, key)
		sum := md5.Sum(data)
		if err != nil || int64(len(data)) != size || hex.EncodeToString(sum[:]) != etag {
			t.Fatalf("asset %s is not whole: blob %s, %d bytes (want %d), err %v", id, key, len(data), size, err)
		}
		n++
	}
	t.Logf("%d uploads acknowledged before SIGKILL, %d assets visible after restart, all whole", len(acks), n)
	if n < len(acks)/2 {
		t.Fatalf("only %d assets for %d acknowledgements", n, len(acks))
	}
}
