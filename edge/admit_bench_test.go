package edge

import "testing"

// BenchmarkAdmit is the cost of the strictness checks (strict.go) on a
// browser's request, the part of a hit they add:
//
//	go test ./edge -run '^$' -bench Admit -benchmem
func BenchmarkAdmit(b *testing.B) {
	s := &Server{cfg: Config{MaxURLLength: 8192, MaxHeaderBytes: 8192}}
	ctx := hitCtx("/demo/image/upload/v1/sample.jpg", browserHeaders("cdn.example")...)
	b.ReportAllocs()
	for b.Loop() {
		if !s.admit(ctx) {
			b.Fatal("refused")
		}
	}
}
