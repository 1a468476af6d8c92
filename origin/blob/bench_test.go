package blob_test

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/internal/testservers"
	"github.com/mediacdn/mediacdn/origin/blob"
	"github.com/mediacdn/mediacdn/origin/blob/blobtest"
)

// BenchmarkStore writes and commits, then opens and reads, blobs of 64 KiB
// and 8 MiB on the filesystem (Commit: fsynced) and on S3 (versitygw on
// loopback, default 8 MiB parts):
//
//	go test -run '^$' -bench Store -benchtime 2s ./origin/blob
func BenchmarkStore(b *testing.B) {
	srv := testservers.StartS3(b)
	stores := []struct {
		name string
		open func(b *testing.B) blob.Store
	}{
		{"FS", func(b *testing.B) blob.Store {
			s, err := blob.NewFS(b.TempDir(), time.Hour)
			if err != nil {
				b.Fatal(err)
			}
			return s
		}},
		{"S3", func(b *testing.B) blob.Store { return openS3(b, srv, "bench/"+b.Name(), 0) }},
	}
	for _, st := range stores {
		for _, size := range []int{64 << 10, 8 << 20} {
			data := blobtest.Bytes(size, 1)
			b.Run(fmt.Sprintf("%s/write/%dKiB", st.name, size>>10), func(b *testing.B) {
				s := st.open(b)
				b.SetBytes(int64(size))
				for b.Loop() {
					blobtest.Put(b, s, data, 32<<10)
				}
			})
			b.Run(fmt.Sprintf("%s/read/%dKiB", st.name, size>>10), func(b *testing.B) {
				s := st.open(b)
				key := blobtest.Put(b, s, data, 32<<10)
				buf := make([]byte, 32<<10)
				b.SetBytes(int64(size))
				for b.Loop() {
					r, err := s.Open(key)
					if err != nil {
						b.Fatal(err)
					}
					if n, err := io.CopyBuffer(io.Discard, r, buf); err != nil || n != int64(size) {
						b.Fatalf("read %d, %v", n, err)
					}
					r.Close()
				}
			})
		}
	}
}
