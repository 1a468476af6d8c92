package bench

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progress writes what a run is doing: permanent lines for steps and
// results, and a live status line for anything that lasts, redrawn in
// place on a terminal and printed every few seconds otherwise (make, CI
// logs). Safe for concurrent use.
type progress struct {
	w        io.Writer
	tty      bool
	interval time.Duration // between live lines when not a terminal

	mu       sync.Mutex // guards last, lastLine and open
	last     time.Time
	lastLine string // the last live line printed (not on a terminal)
	open     bool   // a live line is on a terminal now
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, interval: 5 * time.Second}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

// logf prints a permanent line.
func (p *progress) logf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLocked()
	fmt.Fprintf(p.w, format+"\n", args...)
}

// live shows the status line: redrawn on a terminal, else printed once
// per interval.
func (p *progress) live(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K"+line)
		p.open = true
		return
	}
	if time.Since(p.last) >= p.interval {
		fmt.Fprintln(p.w, "  "+line)
		p.last, p.lastLine = time.Now(), line
	}
}

// final prints the last status as a permanent line, unless a terminal-less
// run has just printed exactly that.
func (p *progress) final(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLocked()
	if p.tty || line != p.lastLine {
		fmt.Fprintln(p.w, "  "+line)
	}
	p.lastLine = ""
}

func (p *progress) clearLocked() {
	if p.open {
		fmt.Fprint(p.w, "\r\033[K")
		p.open = false
	}
}

// watch redraws status() every 250ms until the returned stop is called;
// stop prints the final status once more as a permanent line.
func (p *progress) watch(status func() string) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	p.mu.Lock()
	p.last = time.Now() // the first non-terminal line comes after an interval
	p.mu.Unlock()
	go func() {
		defer close(finished)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				p.live(status())
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			<-finished
			p.final(status())
		})
	}
}

// bar renders a fraction as a 20-cell bar with a percentage.
func bar(frac float64) string {
	frac = min(max(frac, 0), 1)
	n := int(frac*20 + 0.5)
	return fmt.Sprintf("[%s%s] %3.0f%%", strings.Repeat("#", n), strings.Repeat(".", 20-n), frac*100)
}

// since is the time since t in seconds, for status lines.
func since(t time.Time) float64 { return time.Since(t).Seconds() }
