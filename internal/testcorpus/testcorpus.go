// Package testcorpus forwards to internal/testkit, which finds the test
// images now: it stays only while origin's tests still import it.
//
// Deprecated: use testkit.Dir, testkit.Path and testkit.Read.
package testcorpus

import (
	"testing"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// Dir is testkit.Dir.
func Dir(tb testing.TB) string { tb.Helper(); return testkit.Dir(tb) }

// Path is testkit.Path.
func Path(tb testing.TB, name string) string { tb.Helper(); return testkit.Path(tb, name) }

// Read is testkit.Read.
func Read(tb testing.TB, name string) []byte { tb.Helper(); return testkit.Read(tb, name) }
