package origin

import (
	"sync"
	"time"
)

// worker is the run loop an origin's background workers share (the
// webhook sender, the job runner, the usage recorder): started once, run
// every interval and at once when woken, stopped once; close waits for
// the loop to end. A worker never started closes at once.
type worker struct {
	wakeup    chan struct{}
	stop      chan struct{}
	done      chan struct{}
	startOnce sync.Once
	stopOnce  sync.Once
}

func newWorker() worker {
	return worker{wakeup: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
}

// start runs work, then pruning when pruneEvery has passed since the
// last (none when prune is nil), every interval or when woken, until the
// worker is stopped. Only the first call starts it.
func (w *worker) start(interval, pruneEvery time.Duration, work, prune func()) {
	w.startOnce.Do(func() {
		go func() {
			defer close(w.done)
			tick := time.NewTicker(interval)
			defer tick.Stop()
			var pruned time.Time
			for {
				work()
				if prune != nil && time.Since(pruned) > pruneEvery {
					pruned = time.Now()
					prune()
				}
				select {
				case <-w.stop:
					return
				case <-tick.C:
				case <-w.wakeup:
				}
			}
		}()
	})
}

// wake makes the worker run now; it never blocks.
func (w *worker) wake() {
	select {
	case w.wakeup <- struct{}{}:
	default:
	}
}

// stopped reports whether close was called.
func (w *worker) stopped() bool {
	select {
	case <-w.stop:
		return true
	default:
		return false
	}
}

// close stops the worker, runs onStop (if not nil) once, and waits for
// the loop to end.
func (w *worker) close(onStop func()) {
	w.stopOnce.Do(func() {
		close(w.stop)
		if onStop != nil {
			onStop()
		}
	})
	w.startOnce.Do(func() { close(w.done) }) // never started
	<-w.done
}

// claimRounds claims up to max items at a time and does each batch
// concurrently, until a claim finds fewer than max, fails (claim
// returns false, having logged why) or the worker is stopped.
func claimRounds[T any](w *worker, max int, claim func(max int) ([]T, bool), do func(T)) {
	for !w.stopped() {
		due, ok := claim(max)
		if !ok {
			return
		}
		var wg sync.WaitGroup
		for _, item := range due {
			wg.Go(func() { do(item) })
		}
		wg.Wait()
		if len(due) < max {
			return
		}
	}
}
