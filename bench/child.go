package bench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// child is a server process the bench started: a mediacdn origin or
// edge, nginx, varnishd. Its output goes to a log file in the scratch
// directory, shown when it fails.
type child struct {
	name   string
	cmd    *exec.Cmd
	log    string
	exited chan struct{} // closed when the process has ended
	err    error         // its exit status, set before exited closes
}

// startChild starts bin with args; the process gets SIGTERM if the bench
// dies first.
func startChild(name, logPath, bin string, args ...string) (*child, error) {
	return startChildEnv(name, logPath, nil, bin, args...)
}

// startChildEnv is startChild with env added to the bench's environment.
func startChildEnv(name, logPath string, env []string, bin string, args ...string) (*child, error) {
	lf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, log: logPath, exited: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		lf.Close()
		close(c.exited)
	}()
	return c, nil
}

// pid is the process id.
func (c *child) pid() int { return c.cmd.Process.Pid }

// stop asks the process to end (SIGTERM) and kills it after 10s.
func (c *child) stop() {
	select {
	case <-c.exited:
		return
	default:
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
	case <-time.After(10 * time.Second):
		c.cmd.Process.Kill()
		<-c.exited
	}
}

// logTail is the end of the child's output.
func (c *child) logTail() string {
	b, _ := os.ReadFile(c.log)
	return tail(string(b), 1500)
}

// waitHTTP polls url until it answers 200, the child exits or timeout
// passes.
func (c *child) waitHTTP(ctx context.Context, url string, timeout time.Duration) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-c.exited:
			cancel()
		case <-ctx.Done():
		}
	}()
	err := waitReady(ctx, url, timeout)
	select {
	case <-c.exited:
		return fmt.Errorf("%s exited (%v) before %s answered:\n%s", c.name, c.err, url, c.logTail())
	default:
	}
	if err != nil {
		return fmt.Errorf("%s: %w:\n%s", c.name, err, c.logTail())
	}
	return nil
}

// waitReady polls url every 50ms until it answers 200, ctx ends or
// timeout passes.
func waitReady(ctx context.Context, url string, timeout time.Duration) error {
	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	last := "no answer"
	for time.Now().Before(deadline) {
		resp, err := hc.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s did not answer 200 within %v (%s)", url, timeout, last)
}

// waitTCP waits until addr accepts connections, the child exits or
// timeout passes.
func (c *child) waitTCP(ctx context.Context, addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-c.exited:
			return fmt.Errorf("%s exited (%v) before listening on %s:\n%s", c.name, c.err, addr, c.logTail())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s did not listen on %s within %v:\n%s", c.name, addr, timeout, c.logTail())
}
