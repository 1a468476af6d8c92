package edge

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkMissOrigins is misses (each request a new transformation) spread
// over one origin and over two:
//
//	go test ./edge -run '^$' -bench MissOrigins -benchtime 2000x -count 3
//
// Each origin stands in for a real one's transformation capacity: at most
// 4 requests at once, each holding its slot for 2ms (time, not CPU, so
// that the edges and origins of a small machine do not share it). Two
// origins should fill about twice the misses per second of one.
func BenchmarkMissOrigins(b *testing.B) {
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("origins=%d", n), func(b *testing.B) {
			var urls []string
			for i := 0; i < n; i++ {
				slots := make(chan struct{}, 4)
				o := startTestOrigin(b, func(w http.ResponseWriter, r *http.Request) {
					slots <- struct{}{}
					time.Sleep(2 * time.Millisecond)
					<-slots
					imageOrigin(w, r)
				})
				urls = append(urls, o.URL)
			}
			e := startEdge(b, nil, urls...)
			var next atomic.Int64
			b.SetParallelism(16) // fills in flight: 16 per GOMAXPROCS
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					ctx := hitCtx(fmt.Sprintf("/demo/image/upload/w_%d/miss.jpg", next.Add(1)))
					e.handle(ctx)
					if ctx.Response.StatusCode() != http.StatusOK {
						b.Errorf("miss: %d", ctx.Response.StatusCode())
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "misses/s")
		})
	}
}
