package localsrv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Versitygw is the S3 server StartS3 runs; the Makefile installs it at a
// pinned version into the module's bin/.
const Versitygw = "versitygw"

// S3Options configure StartS3.
type S3Options struct {
	// Dir holds the objects (versitygw's POSIX backend: a folder per
	// bucket, metadata in user extended attributes, so Dir's file system
	// must take them: ProbeXattr). Required; kept by Stop.
	Dir string
	// Program is versitygw's path. Empty means Find(Versitygw).
	Program string
	// AccessKey and SecretKey are the root user's. Required.
	AccessKey, SecretKey string
	// Bucket is created unless it exists. Required.
	Bucket string
	// Region is the server's. Empty means us-east-1.
	Region string
	// Addr is where it listens. Empty means a free loopback port.
	Addr string
}

// S3Server is a running S3 server with its bucket.
type S3Server struct {
	// Endpoint is http://127.0.0.1:<port>.
	Endpoint string
	// AccessKey and SecretKey are the root user's.
	AccessKey, SecretKey string
	// Bucket exists.
	Bucket string
	// Region is the server's.
	Region string

	cmd    *exec.Cmd
	exited chan struct{}
	log    *lockedBuffer
	stop   sync.Once
}

// StartS3 starts versitygw's POSIX backend on o.Dir, creates the bucket,
// and waits (polling) until it answers, up to 30 seconds or until ctx
// ends. Stop it with Stop; it is killed if this process dies first.
func StartS3(ctx context.Context, o S3Options) (*S3Server, error) {
	if o.Dir == "" || o.AccessKey == "" || o.SecretKey == "" || o.Bucket == "" {
		return nil, errors.New("versitygw: Dir, AccessKey, SecretKey and Bucket are required")
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	bin := o.Program
	if bin == "" {
		var err error
		if bin, err = Find(Versitygw); err != nil {
			return nil, err
		}
	}
	if err := ProbeXattr(o.Dir); err != nil {
		return nil, fmt.Errorf("versitygw: %s takes no user extended attributes, which its POSIX backend keeps "+
			"metadata in (use a directory on ext4, xfs, btrfs, or tmpfs on Linux 6.6 and later): %w", o.Dir, err)
	}
	addr := o.Addr
	if addr == "" {
		var err error
		if addr, err = FreePort(); err != nil {
			return nil, err
		}
	}
	s := &S3Server{Endpoint: "http://" + addr, AccessKey: o.AccessKey, SecretKey: o.SecretKey, Bucket: o.Bucket,
		Region: o.Region, exited: make(chan struct{}), log: &lockedBuffer{}}
	s.cmd = exec.Command(bin, "--port", addr, "--access", s.AccessKey, "--secret", s.SecretKey,
		"--region", s.Region, "--quiet", "posix", o.Dir)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	// The server is ours alone: no environment credentials or settings.
	s.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + o.Dir}
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { s.cmd.Wait(); close(s.exited) }()

	client, err := minio.New(addr, &minio.Options{Creds: credentials.NewStaticV4(s.AccessKey, s.SecretKey, ""),
		Region: s.Region, BucketLookup: minio.BucketLookupPath, MaxRetries: 1})
	if err != nil {
		s.Stop()
		return nil, err
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err = client.MakeBucket(cctx, s.Bucket, minio.MakeBucketOptions{Region: s.Region})
		cancel()
		if err == nil || minio.ToErrorResponse(err).Code == "BucketAlreadyOwnedByYou" {
			return s, nil
		}
		select {
		case <-s.exited:
			return nil, fmt.Errorf("%s exited: %v\n%s", bin, s.cmd.ProcessState, s.log)
		case <-ctx.Done():
			s.Stop()
			return nil, ctx.Err()
		default:
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("%s did not answer on %s within 30s: %v\n%s", bin, addr, err, s.log)
		}
		<-time.After(20 * time.Millisecond) // poll
	}
}

// Stop kills the server and waits for it to exit. A second Stop does
// nothing.
func (s *S3Server) Stop() {
	s.stop.Do(func() {
		s.cmd.Process.Kill()
		<-s.exited
	})
}

// Freeze stops the server's process (SIGSTOP) without closing its
// connections: it accepts and answers nothing until it is killed, as a
// hung server does.
func (s *S3Server) Freeze() error { return s.cmd.Process.Signal(syscall.SIGSTOP) }

// ProbeXattr checks that dir's file system takes user extended
// attributes; an error wrapping syscall.ENOTSUP means it does not.
func ProbeXattr(dir string) error {
	const name = "user.mediacdn.probe"
	if err := syscall.Setxattr(dir, name, []byte("1"), 0); err != nil {
		return err
	}
	return syscall.Removexattr(dir, name)
}

// NoXattr reports whether err (from ProbeXattr) says that the file
// system has no user extended attributes.
func NoXattr(err error) bool {
	return errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.EOPNOTSUPP)
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Clone(l.b.String())
}
