// Package testhttp forwards to internal/testkit, which sends the requests
// of tests now: it stays only while origin's tests still import it.
//
// Deprecated: use testkit.Do, testkit.Get and testkit.Answer.
package testhttp

import (
	"testing"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// Answer is testkit.Answer.
type Answer = testkit.Answer

// Do is testkit.Do.
func Do(t testing.TB, method, url string, headers ...string) Answer {
	t.Helper()
	return testkit.Do(t, method, url, headers...)
}
