package testkit

import (
	"fmt"
	"runtime"
	"testing"
)

// recorder is a test double of testing.TB: it records a Fatal instead of
// failing the test that uses it, and stops the goroutine as Fatal does.
// Any other method of testing.TB panics (its embedded TB is nil): the kit
// calls none.
type recorder struct {
	testing.TB
	fatal string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatal(args ...any) {
	r.fatal = fmt.Sprint(args...)
	runtime.Goexit()
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls f with a recorder on a goroutine of its own, as the testing
// package runs a test, and returns what f's Fatal said ("" if it returned).
func run(f func(tb testing.TB)) string {
	r := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r.fatal
}
