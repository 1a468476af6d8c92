//go:build cgo

package imaging

/*
#include "vips.h"
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// pool runs libvips work on a fixed set of goroutines, each locked to its
// own OS thread for its whole life. libvips keeps per-thread state (buffer
// caches); bimg calls vips_thread_shutdown after each call from whatever
// thread the goroutine happens to be on. Here the thread that did the work
// is the thread that frees it, and a worker's thread exits with it.
//
// Locking: jobs is a buffered channel (its capacity is the queue); busy is
// atomic; mu guards stopped, held for reading while a job is queued so
// that close cannot strand a job after the workers have drained the queue.
type pool struct {
	jobs chan *job
	busy atomic.Int64
	stop chan struct{}
	wg   sync.WaitGroup

	mu      sync.RWMutex
	stopped bool
}

// job is one unit of libvips work. work runs exactly once, on a worker, and
// must check ctx itself; done receives its outcome.
type job struct {
	ctx  context.Context
	work func(ctx context.Context) (Result, error)
	done chan outcome
}

type outcome struct {
	res Result
	err error
}

func newPool(workers, queue int) *pool {
	p := &pool{jobs: make(chan *job, queue), stop: make(chan struct{})}
	p.wg.Add(workers)
	for range workers {
		go p.worker()
	}
	return p
}

// do queues work and waits for it, for ctx's end, whichever comes first.
// Past the queue's capacity it answers 503 at once. Once queued, work runs
// even if the caller has gone (it then sees ctx done and should return
// quickly); cleanup, when not nil, runs if the work is never queued.
func (p *pool) do(ctx context.Context, work func(context.Context) (Result, error), cleanup func()) (Result, error) {
	j := &job{ctx: ctx, work: work, done: make(chan outcome, 1)}
	if err := p.enqueue(j); err != nil {
		if cleanup != nil {
			cleanup()
		}
		return Result{}, err
	}
	select {
	case o := <-j.done:
		return o.res, o.err
	case <-ctx.Done():
		return Result{}, ctxError(ctx.Err())
	}
}

// ctxError is the public error for a context's end: 504 past the
// deadline, 503 when the caller canceled.
func ctxError(err error) *Error {
	if errors.Is(err, context.DeadlineExceeded) {
		return timedOut(err)
	}
	return canceled(err)
}

// enqueue queues j without waiting.
func (p *pool) enqueue(j *job) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.stopped {
		return closed()
	}
	select {
	case p.jobs <- j:
		return nil
	default:
		return busy()
	}
}

func (p *pool) worker() {
	defer p.wg.Done()
	// Never unlocked: when the worker returns, its OS thread exits too.
	runtime.LockOSThread()
	defer C.mc_thread_done()
	for {
		select {
		case <-p.stop:
			p.drain()
			return
		case j := <-p.jobs:
			p.run(j)
		}
	}
}

// run executes one job and answers its caller once the worker is free
// again (so Stats never counts a finished job as busy).
func (p *pool) run(j *job) {
	j.done <- p.execute(j)
}

// execute runs the work, turning a panic into a 500 so the worker lives on.
func (p *pool) execute(j *job) (o outcome) {
	p.busy.Add(1)
	defer p.busy.Add(-1)
	defer C.mc_thread_done() // free this thread's libvips buffers between jobs
	defer func() {
		if r := recover(); r != nil {
			o = outcome{err: internalError(fmt.Errorf("imaging: panic: %v", r))}
		}
	}()
	o.res, o.err = j.work(j.ctx)
	return o
}

// drain runs queued jobs with a closed error so that their buffers are
// freed and their callers answered.
func (p *pool) drain() {
	for {
		select {
		case j := <-p.jobs:
			ctx, cancel := context.WithCancel(j.ctx)
			cancel()
			_, _ = j.work(ctx)
			j.done <- outcome{err: closed()}
		default:
			return
		}
	}
}

// close stops the workers after their current jobs and waits for them.
func (p *pool) close() {
	p.mu.Lock()
	was := p.stopped
	p.stopped = true
	p.mu.Unlock()
	if was {
		return
	}
	close(p.stop)
	p.wg.Wait()
}

// queued is how many jobs wait for a worker.
func (p *pool) queued() int { return len(p.jobs) }
