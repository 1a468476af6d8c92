package blob

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestFSCommitUnsynced(t *testing.T) {
	dir := t.TempDir()
	s, err := NewFS(dir, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := s.Create()
	w.Write([]byte("derived"))
	key, err := w.CommitUnsynced()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(); err == nil {
		t.Fatal("a second commit succeeded")
	}
	if got, err := ReadAll(s, key); err != nil || string(got) != "derived" {
		t.Fatalf("ReadAll = %q, %v", got, err)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(entries) != 0 {
		t.Fatalf("staging left behind: %v", entries)
	}
}

func TestFSAbortLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	s, err := NewFS(dir, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := s.Create()
	w.Write(bytes.Repeat([]byte("x"), 1000))
	w.Abort()
	entries, _ := os.ReadDir(filepath.Join(dir, "tmp"))
	if len(entries) != 0 {
		t.Fatalf("tmp not empty after abort: %v", entries)
	}
	n := 0
	s.Walk(func(string) error { n++; return nil })
	if n != 0 {
		t.Fatalf("%d blobs after abort", n)
	}
}

func TestFSSweepsStaleStaging(t *testing.T) {
	dir := t.TempDir()
	s, _ := NewFS(dir, time.Hour)
	w, _ := s.Create()
	w.Write([]byte("crash"))
	// Simulate a crash: the writer is never committed or aborted.
	if _, err := NewFS(dir, 0); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "tmp"))
	if len(entries) != 0 {
		t.Fatalf("stale staging file kept: %v", entries)
	}
}

// Commits land whether their shard directories exist already or not (the
// rename is tried first): 3,000 blobs fill some shards twice, and every
// one reads back, with nothing left in staging.
func TestFSCommitIntoNewAndExistingShards(t *testing.T) {
	dir := t.TempDir()
	s, err := NewFS(dir, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	shards := map[string]int{}
	for i := range 3000 {
		w, err := s.Create()
		if err != nil {
			t.Fatal(err)
		}
		body := []byte{byte(i), byte(i >> 8)}
		w.Write(body)
		commit := w.CommitUnsynced
		if i%100 == 0 {
			commit = w.Commit
		}
		key, err := commit()
		if err != nil {
			t.Fatalf("commit %d: %v", i, err)
		}
		want[key] = string(body)
		shards[key[:4]]++
	}
	reused := 0
	for _, n := range shards {
		if n > 1 {
			reused++
		}
	}
	if reused == 0 {
		t.Fatal("no shard directory was used twice; the existing-directory path went untested")
	}
	for key, body := range want {
		if got, err := ReadAll(s, key); err != nil || string(got) != body {
			t.Fatalf("%s: %q, %v", key, got, err)
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(entries) != 0 {
		t.Fatalf("staging left behind: %d files", len(entries))
	}
}
