package origin_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// BenchmarkUpload measures uploads per second of LadyBird.jpg (351 KB)
// through the full HTTP path of a real origin on loopback: multipart
// parsing, header probe, blob write with fsync, SQLite commit with fsync.
//
//	go test ./origin -run '^$' -bench Upload -benchtime 400x
func BenchmarkUpload(b *testing.B) {
	for _, clients := range []int{1, 4} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			o := startOrigin(b, nil)
			jpg := testkit.Read(b, "LadyBird.jpg")
			var buf bytes.Buffer
			w := multipart.NewWriter(&buf)
			fw, _ := w.CreateFormFile("file", "LadyBird.jpg")
			fw.Write(jpg)
			w.Close()
			body, ct := buf.Bytes(), w.FormDataContentType()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
			var n atomic.Int64
			b.SetBytes(int64(len(jpg)))
			b.SetParallelism(clients)
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest(http.MethodPost, o.URL+"/v1_1/demo/image/upload", bytes.NewReader(body))
					req.Header.Set("Content-Type", ct)
					req.SetBasicAuth(apiKey, apiSecret)
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
					n.Add(1)
				}
			})
			b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), "uploads/s")
		})
	}
}
