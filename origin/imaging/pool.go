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

	"github.com/mediacdn/mediacdn/delivery"
)

// pool bounds libvips work: at most workers jobs run at once and at most
// queue callers wait for a turn; past that, 503 at once.
//
// A job runs on its caller's goroutine, locked to its OS thread for the
// job's length, as imgproxy does: handing it to a worker goroutine on
// another thread and the result back costs two wake-ups per transform,
// which on a virtual machine were worth several percent of the CPU a
// transform takes. libvips keeps per-thread state (buffer caches), so the
// thread that did the work frees it before it goes back to Go
// (vips_thread_shutdown): Go's changing set of threads never accumulates
// libvips memory.
//
// Locking: slots is a buffered channel holding a token per running job;
// waiting and busy are atomic; mu guards stopped and is held for reading
// while a job is admitted, so that close never misses one it must wait for.
type pool struct {
	slots   chan struct{}
	queue   int64
	waiting atomic.Int64 // callers waiting for a slot
	busy    atomic.Int64 // jobs running
	stop    chan struct{}
	jobs    sync.WaitGroup // admitted jobs, waiting or running

	mu      sync.RWMutex
	stopped bool
}

func newPool(workers, queue int) *pool {
	return &pool{slots: make(chan struct{}, workers), queue: int64(queue), stop: make(chan struct{})}
}

// do runs work once a slot is free, on this goroutine, and returns its
// outcome. It answers 503 at once past the queue or after close, and 504
// or 503 when ctx ends while waiting. Once started, work runs until it
// returns: it stops itself when ctx ends (kill.go). cleanup, when not nil,
// runs if work never does.
func (p *pool) do(ctx context.Context, work func(context.Context) (Result, error), cleanup func()) (Result, error) {
	if err := p.admit(); err != nil {
		if cleanup != nil {
			cleanup()
		}
		return Result{}, err
	}
	defer p.jobs.Done()
	if err := p.acquire(ctx); err != nil {
		if cleanup != nil {
			cleanup()
		}
		return Result{}, err
	}
	defer func() { <-p.slots }()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return p.execute(ctx, work)
}

// admit counts a job in unless the pool is closed.
func (p *pool) admit() error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.stopped {
		return closed()
	}
	p.jobs.Add(1)
	return nil
}

// acquire takes a slot: at once if one is free, else after waiting in the
// queue, if there is room in it.
func (p *pool) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return stopError(ctx, err)
	}
	select {
	case <-p.stop:
		return closed()
	case p.slots <- struct{}{}:
		return nil
	default:
	}
	if p.waiting.Add(1) > p.queue {
		p.waiting.Add(-1)
		return busy()
	}
	defer p.waiting.Add(-1)
	select {
	case p.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return stopError(ctx, ctx.Err())
	case <-p.stop:
		return closed()
	}
}

// errClosing is the cause that ends the contexts of the work in flight
// when the processor closes (Processor.run).
var errClosing = errors.New("imaging: the processor is closing")

// stopError is the public error for the end of ctx, with cause for the
// logs: 504 past the deadline, 503 when the processor is closing or the
// caller canceled.
func stopError(ctx context.Context, cause error) *delivery.Error {
	switch why := context.Cause(ctx); {
	case errors.Is(why, errClosing):
		return closed().Because(cause)
	case errors.Is(why, context.DeadlineExceeded):
		return timedOut(cause)
	}
	return canceled(cause)
}

// execute runs work on the locked thread, frees the thread's libvips
// buffers after it, and turns a panic into a 500.
func (p *pool) execute(ctx context.Context, work func(context.Context) (Result, error)) (res Result, err error) {
	p.busy.Add(1)
	defer p.busy.Add(-1)
	defer C.mc_thread_done()
	defer func() {
		if r := recover(); r != nil {
			res, err = Result{}, internalError(fmt.Errorf("imaging: panic: %v", r))
		}
	}()
	return work(ctx)
}

// close refuses new jobs, answers the waiting ones 503 and waits for the
// running ones to end.
func (p *pool) close() {
	p.mu.Lock()
	was := p.stopped
	p.stopped = true
	p.mu.Unlock()
	if was {
		return
	}
	close(p.stop)
	p.jobs.Wait()
}

// queued is how many jobs wait for a slot.
func (p *pool) queued() int { return int(p.waiting.Load()) }
