package blobtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/mediacdn/mediacdn/origin/blob"
)

// LargeSize is the size of the large blob Run writes: more than three
// parts of the 5 MiB an S3 store under test should be opened with, so
// that its multipart path is taken.
const LargeSize = 20<<20 + 12345

// Run runs the contract. open makes a new, empty store for each subtest.
func Run(t *testing.T, open func(t *testing.T) blob.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s blob.Store)
	}{
		{"CommitOpenRead", testCommitOpenRead},
		{"Empty", testEmpty},
		{"ReadAt", testReadAt},
		{"Seek", testSeek},
		{"InvisibleBeforeCommit", testInvisibleBeforeCommit},
		{"Abort", testAbort},
		{"FinishedWriter", testFinishedWriter},
		{"Delete", testDelete},
		{"Walk", testWalk},
		{"ConcurrentWriters", testConcurrentWriters},
		{"Large", testLarge},
		{"InvalidKeys", testInvalidKeys},
		{"NotFound", testNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

// Bytes is n pseudo-random bytes, the same for the same seed.
func Bytes(n int, seed uint64) []byte {
	r := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), byte(seed >> 16), byte(seed >> 24)})
	b := make([]byte, n)
	r.Read(b)
	return b
}

// Put stores data, written in pieces of the given size, and commits.
func Put(t testing.TB, s blob.Store, data []byte, piece int) string {
	t.Helper()
	w, err := s.Create()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for rest := data; len(rest) > 0; {
		n := min(piece, len(rest))
		if m, err := w.Write(rest[:n]); err != nil || m != n {
			t.Fatalf("Write = %d, %v", m, err)
		}
		rest = rest[n:]
	}
	key, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func keys(t *testing.T, s blob.Store) []string {
	t.Helper()
	var ks []string
	if err := s.Walk(func(k string) error { ks = append(ks, k); return nil }); err != nil {
		t.Fatalf("Walk: %v", err)
	}
	slices.Sort(ks)
	return ks
}

func readAll(t *testing.T, s blob.Store, key string) []byte {
	t.Helper()
	got, err := blob.ReadAll(s, key)
	if err != nil {
		t.Fatalf("ReadAll(%s): %v", key, err)
	}
	return got
}

func open(t *testing.T, s blob.Store, key string) blob.Reader {
	t.Helper()
	r, err := s.Open(key)
	if err != nil {
		t.Fatalf("Open(%s): %v", key, err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func testCommitOpenRead(t *testing.T, s blob.Store) {
	w, err := s.Create()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("hello "))
	w.Write([]byte("world"))
	key, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if len(key) != 32 {
		t.Errorf("key %q is not 32 hex digits", key)
	}
	w.Abort() // a no-op after Commit
	r := open(t, s, key)
	if r.Size() != 11 {
		t.Errorf("Size = %d", r.Size())
	}
	if got, err := io.ReadAll(r); err != nil || string(got) != "hello world" {
		t.Fatalf("read = %q, %v", got, err)
	}
	if n, err := r.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("Read at the end = %d, %v; want 0, EOF", n, err)
	}
	if got := keys(t, s); !slices.Equal(got, []string{key}) {
		t.Errorf("Walk = %v, want [%s]", got, key)
	}
}

func testEmpty(t *testing.T, s blob.Store) {
	w, _ := s.Create()
	key, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	r := open(t, s, key)
	if r.Size() != 0 {
		t.Errorf("Size = %d", r.Size())
	}
	if got, err := io.ReadAll(r); err != nil || len(got) != 0 {
		t.Errorf("read = %q, %v", got, err)
	}
	if n, err := r.ReadAt(make([]byte, 4), 0); n != 0 || err != io.EOF {
		t.Errorf("ReadAt = %d, %v; want 0, EOF", n, err)
	}
}

func testReadAt(t *testing.T, s blob.Store) {
	data := Bytes(100000, 1)
	key := Put(t, s, data, 4096)
	r := open(t, s, key)
	for _, c := range []struct {
		off, n int
		want   int // bytes read; EOF when fewer than n
	}{
		{0, 10, 10},
		{5000, 1000, 1000},
		{99990, 10, 10},     // ends at the end: nil or EOF
		{99990, 100, 10},    // past the end: EOF
		{100000, 5, 0},      // at the end
		{200000, 5, 0},      // beyond it
		{0, 100000, 100000}, // all
		{1, 100001, 99999},  // all but one, asked one too many
		{50000, 0, 0},       // nothing
	} {
		p := make([]byte, c.n)
		n, err := r.ReadAt(p, int64(c.off))
		if n != c.want {
			t.Errorf("ReadAt(%d bytes at %d) = %d, %v; want %d", c.n, c.off, n, err, c.want)
			continue
		}
		switch {
		case c.want < c.n && err != io.EOF:
			t.Errorf("ReadAt(%d bytes at %d): %v, want EOF", c.n, c.off, err)
		case c.want == c.n && err != nil && !(err == io.EOF && c.off+c.n == len(data)):
			t.Errorf("ReadAt(%d bytes at %d): %v", c.n, c.off, err)
		}
		if n > 0 && !bytes.Equal(p[:n], data[c.off:c.off+n]) {
			t.Errorf("ReadAt(%d bytes at %d): wrong bytes", c.n, c.off)
		}
	}
	if _, err := r.ReadAt(make([]byte, 1), -1); err == nil {
		t.Error("ReadAt a negative offset succeeded")
	}
	// ReadAt may be called concurrently, and leaves Read's position alone.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			off := i * 12000
			p := make([]byte, 3000)
			if n, err := r.ReadAt(p, int64(off)); n != 3000 || err != nil || !bytes.Equal(p, data[off:off+3000]) {
				t.Errorf("concurrent ReadAt at %d = %d, %v", off, n, err)
			}
		})
	}
	wg.Wait()
	if got, err := io.ReadAll(r); err != nil || !bytes.Equal(got, data) {
		t.Errorf("Read after ReadAt: %d bytes, %v", len(got), err)
	}
}

func testSeek(t *testing.T, s blob.Store) {
	data := Bytes(50000, 2)
	key := Put(t, s, data, 50000)
	r := open(t, s, key)
	read := func(n int) []byte {
		t.Helper()
		p := make([]byte, n)
		if _, err := io.ReadFull(r, p); err != nil {
			t.Fatalf("read %d: %v", n, err)
		}
		return p
	}
	if !bytes.Equal(read(100), data[:100]) {
		t.Error("first 100 bytes wrong")
	}
	for _, c := range []struct {
		off    int64
		whence int
		want   int64
	}{
		{30000, io.SeekStart, 30000},
		{-10, io.SeekEnd, 49990},
		{-20000, io.SeekCurrent, 29990},
		{0, io.SeekStart, 0},
		{123, io.SeekCurrent, 123},
	} {
		pos, err := r.Seek(c.off, c.whence)
		if err != nil || pos != c.want {
			t.Fatalf("Seek(%d, %d) = %d, %v; want %d", c.off, c.whence, pos, err, c.want)
		}
		n := min(10, len(data)-int(pos))
		if !bytes.Equal(read(n), data[pos:pos+int64(n)]) {
			t.Errorf("after Seek(%d, %d): wrong bytes", c.off, c.whence)
		}
		r.Seek(-int64(n), io.SeekCurrent)
	}
	if pos, err := r.Seek(0, io.SeekEnd); err != nil || pos != 50000 {
		t.Errorf("Seek to the end = %d, %v", pos, err)
	}
	if n, err := r.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Errorf("Read at the end = %d, %v", n, err)
	}
	if _, err := r.Seek(-1, io.SeekStart); err == nil {
		t.Error("Seek before the start succeeded")
	}
	r.Seek(40000, io.SeekStart)
	if rest, err := io.ReadAll(r); err != nil || !bytes.Equal(rest, data[40000:]) {
		t.Errorf("ReadAll from 40000: %d bytes, %v", len(rest), err)
	}
}

func testInvisibleBeforeCommit(t *testing.T, s blob.Store) {
	w, err := s.Create()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	w.Write(Bytes(1000, 3))
	if got := keys(t, s); len(got) != 0 {
		t.Fatalf("Walk before Commit = %v", got)
	}
	key, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(t, s); !slices.Equal(got, []string{key}) {
		t.Fatalf("Walk after Commit = %v, want [%s]", got, key)
	}
}

func testAbort(t *testing.T, s blob.Store) {
	for _, n := range []int{0, 1000, 6 << 20} { // the last is past an S3 part
		w, err := s.Create()
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			if _, err := w.Write(Bytes(n, 4)); err != nil {
				t.Fatal(err)
			}
		}
		w.Abort()
		w.Abort()
		if _, err := w.Commit(); err == nil {
			t.Errorf("%d bytes: Commit after Abort succeeded", n)
		}
		if got := keys(t, s); len(got) != 0 {
			t.Errorf("%d bytes: Walk after Abort = %v", n, got)
		}
	}
}

func testFinishedWriter(t *testing.T, s blob.Store) {
	w, _ := s.Create()
	w.Write([]byte("derived"))
	key, err := w.CommitUnsynced()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(); err == nil {
		t.Error("a second Commit succeeded")
	}
	if _, err := w.Write([]byte("more")); err == nil {
		t.Error("Write after Commit succeeded")
	}
	if got := readAll(t, s, key); string(got) != "derived" {
		t.Errorf("ReadAll = %q", got)
	}
}

func testDelete(t *testing.T, s blob.Store) {
	key := Put(t, s, []byte("doomed"), 10)
	keep := Put(t, s, []byte("kept"), 10)
	if err := s.Delete(key); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(key); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Open after Delete: %v, want ErrNotFound", err)
	}
	if err := s.Delete(key); err != nil {
		t.Errorf("second Delete: %v", err)
	}
	if got := readAll(t, s, keep); string(got) != "kept" {
		t.Errorf("the other blob reads %q", got)
	}
}

func testWalk(t *testing.T, s blob.Store) {
	var want []string
	for i := range 12 {
		want = append(want, Put(t, s, []byte(fmt.Sprint(i)), 10))
	}
	for _, k := range want[:3] {
		if err := s.Delete(k); err != nil {
			t.Fatal(err)
		}
	}
	want = want[3:]
	w, _ := s.Create()
	w.Write([]byte("aborted"))
	w.Abort()
	slices.Sort(want)
	if got := keys(t, s); !slices.Equal(got, want) {
		t.Fatalf("Walk = %v\nwant %v", got, want)
	}
	stop := errors.New("stop")
	n := 0
	err := s.Walk(func(string) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("Walk whose fn fails = %v after %d calls, want its error after 1", err, n)
	}
}

func testConcurrentWriters(t *testing.T, s blob.Store) {
	const writers = 8
	got := make([]string, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			w, err := s.Create()
			if err != nil {
				t.Error(err)
				return
			}
			defer w.Abort()
			data := Bytes(30000+i, uint64(100+i))
			for p := 0; p < len(data); p += 7000 {
				if _, err := w.Write(data[p:min(p+7000, len(data))]); err != nil {
					t.Error(err)
					return
				}
			}
			if got[i], err = w.Commit(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for i, key := range got {
		if b := readAll(t, s, key); !bytes.Equal(b, Bytes(30000+i, uint64(100+i))) {
			t.Errorf("writer %d's blob differs", i)
		}
	}
	sorted := slices.Sorted(slices.Values(got))
	if len(slices.Compact(sorted)) != writers {
		t.Errorf("keys not distinct: %v", got)
	}
	if k := keys(t, s); !slices.Equal(k, sorted) {
		t.Errorf("Walk = %v, want %v", k, sorted)
	}
}

func testLarge(t *testing.T, s blob.Store) {
	data := Bytes(LargeSize, 5)
	w, err := s.Create()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	const piece = 100003 // odd: parts never line up with writes
	for p := 0; p < len(data); p += piece {
		if _, err := w.Write(data[p:min(p+piece, len(data))]); err != nil {
			t.Fatal(err)
		}
		if p <= 12<<20 && p+piece > 12<<20 {
			if got := keys(t, s); len(got) != 0 {
				t.Fatalf("Walk in the middle of the upload = %v", got)
			}
		}
	}
	key, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	r := open(t, s, key)
	if r.Size() != LargeSize {
		t.Fatalf("Size = %d", r.Size())
	}
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read %d bytes, %v; equal: %v", len(got), err, bytes.Equal(got, data))
	}
	for _, off := range []int{5<<20 - 100, 10<<20 - 1, LargeSize - 50} {
		p := make([]byte, 200)
		n, err := r.ReadAt(p, int64(off))
		want := min(200, LargeSize-off)
		if n != want || !bytes.Equal(p[:n], data[off:off+n]) || (n < 200 && err != io.EOF) {
			t.Errorf("ReadAt(200 at %d) = %d, %v", off, n, err)
		}
	}
}

func testInvalidKeys(t *testing.T, s blob.Store) {
	for _, k := range []string{"", "../../etc/passwd", "ABCDEF0123456789ABCDEF0123456789", "0123",
		"0123456789abcdef0123456789abcdeg", "0123456789abcdef0123456789abcdef/x"} {
		if _, err := s.Open(k); err == nil || errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Open(%q) = %v, want an invalid key error", k, err)
		}
		if err := s.Delete(k); err == nil {
			t.Errorf("Delete(%q) succeeded", k)
		}
	}
}

func testNotFound(t *testing.T, s blob.Store) {
	if _, err := s.Open("0123456789abcdef0123456789abcdef"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Open of a missing key = %v, want ErrNotFound", err)
	}
}
