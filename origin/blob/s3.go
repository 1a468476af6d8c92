package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3 stores blobs as objects of an S3-compatible store (AWS S3, R2, MinIO,
// Ceph, SeaweedFS, versitygw) through github.com/minio/minio-go/v7: a far
// smaller dependency tree than aws-sdk-go-v2, it speaks to every
// S3-compatible server (path-style and virtual-host buckets, signature
// V4), streams multipart uploads of unknown length with one bounded part
// buffer, does ranged GETs and retries with backoff by itself.
//
// A blob is the object <prefix>/<k0k1>/<k2k3>/<key>, the FS layout: a
// blob folder copies into a bucket as it is (without its tmp/), and
// servers that keep objects as files (versitygw's POSIX backend, MinIO on
// one disk) never get millions of them in one directory. S3 itself does
// not care: Walk is one recursive listing either way.
//
// A blob exists only once complete: one PUT for a blob up to PartSize, a
// multipart upload past it, which S3 shows only when completed. Commit
// returns once the store has acknowledged the object (Commit and
// CommitUnsynced are the same).
type S3 struct {
	client   *minio.Client
	bucket   string
	prefix   string // "" or ending in "/"
	partSize int64
}

// S3Options configure an S3 store. Bucket is required.
type S3Options struct {
	// Endpoint is the server's URL, http(s)://host:port. Empty means AWS
	// S3 (https://s3.amazonaws.com).
	Endpoint string
	// Region is the bucket's region. Empty lets the client ask the
	// server (us-east-1 where it does not say).
	Region string
	// Bucket must exist; Prefix (optional) is the folder inside it.
	Bucket, Prefix string
	// PathStyle is "true" (bucket in the URL's path), "false" (bucket in
	// the host name) or "" (virtual hosts on AWS, paths elsewhere).
	PathStyle string
	// AccessKeyID and SecretAccessKey sign the requests. Empty means the
	// standard AWS chain: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY,
	// the shared credentials file, an instance or container role.
	AccessKeyID, SecretAccessKey string
	// PartSize is the size of a multipart upload's parts and the largest
	// blob sent in one PUT: each writer holds at most about twice this in
	// memory. Default 8 MiB; at least 5 MiB (S3's smallest part).
	PartSize int64
	// MaxRetries is how many times a request is tried on a 5xx answer,
	// a throttling answer or a network error, with exponential backoff
	// (200 ms doubling, at most 1 s between tries). Default 5.
	MaxRetries int
	// Timeout bounds every wait on the network: connecting, the TLS
	// handshake, the answer's header, and any stall of a transfer in
	// either direction (no byte moving for this long). Default 30s.
	Timeout time.Duration
}

// Defaults of S3Options.
const (
	DefaultS3PartSize   = 8 << 20
	MinS3PartSize       = 5 << 20
	DefaultS3MaxRetries = 5
	DefaultS3Timeout    = 30 * time.Second
)

// NewS3 opens an S3 store and checks, within ctx, that it has
// credentials and that the bucket exists. The error says what is wrong.
func NewS3(ctx context.Context, o S3Options) (*S3, error) {
	if o.PartSize == 0 {
		o.PartSize = DefaultS3PartSize
	}
	if o.PartSize < MinS3PartSize {
		return nil, fmt.Errorf("part size %d is below S3's smallest part, 5 MiB", o.PartSize)
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = DefaultS3MaxRetries
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultS3Timeout
	}
	if o.Bucket == "" {
		return nil, errors.New("no bucket")
	}
	endpoint := o.Endpoint
	if endpoint == "" {
		endpoint = "https://s3.amazonaws.com"
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("endpoint %q is not an http(s)://host:port URL", endpoint)
	}
	transport := newS3Transport(o.Timeout)
	var creds *credentials.Credentials
	if o.AccessKeyID != "" || o.SecretAccessKey != "" {
		creds = credentials.NewStaticV4(o.AccessKeyID, o.SecretAccessKey, "")
	} else {
		creds = credentials.NewChainCredentials([]credentials.Provider{
			&credentials.EnvAWS{}, &credentials.FileAWSCredentials{}, &credentials.IAM{}})
	}
	cctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	v, err := creds.GetWithContext(&credentials.CredContext{Context: cctx,
		Client: &http.Client{Transport: transport, Timeout: 5 * time.Second}})
	if err != nil || v.AccessKeyID == "" || v.SecretAccessKey == "" {
		return nil, errors.New("no credentials: set MEDIACDN_ORIGIN_S3_ACCESS_KEY_ID and " +
			"MEDIACDN_ORIGIN_S3_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, " +
			"a shared credentials file, an instance role)")
	}
	lookup := minio.BucketLookupAuto
	switch o.PathStyle {
	case "true":
		lookup = minio.BucketLookupPath
	case "false":
		lookup = minio.BucketLookupDNS
	}
	client, err := minio.New(u.Host, &minio.Options{Creds: creds, Secure: u.Scheme == "https",
		Transport: transport, Region: o.Region, BucketLookup: lookup, MaxRetries: o.MaxRetries})
	if err != nil {
		return nil, err
	}
	s := &S3{client: client, bucket: o.Bucket, partSize: o.PartSize}
	if p := path.Clean("/" + o.Prefix); p != "/" {
		s.prefix = p[1:] + "/"
	}
	ok, err := client.BucketExists(cctx, o.Bucket)
	if err != nil {
		var er minio.ErrorResponse
		if errors.As(err, &er) && er.Code != "" {
			return nil, fmt.Errorf("bucket %s at %s: %s (%s)", o.Bucket, endpoint, er.Code, er.Message)
		}
		return nil, fmt.Errorf("cannot reach %s: %w", endpoint, err)
	}
	if !ok {
		return nil, fmt.Errorf("bucket %s does not exist at %s", o.Bucket, endpoint)
	}
	return s, nil
}

// newS3Transport is an HTTP transport whose every wait is bounded.
func newS3Transport(timeout time.Duration) *http.Transport {
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &stallConn{Conn: c, timeout: timeout}, nil
		},
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		ExpectContinueTimeout: time.Second,
		// Idle connections are closed before their stall deadline.
		IdleConnTimeout:     timeout / 2,
		MaxIdleConnsPerHost: 64,
		DisableCompression:  true,
	}
}

// stallConn fails a read or write when no byte has moved for timeout: a
// server that stops answering in the middle of a body cannot hold a
// request (and the writer or reader behind it) forever. A write pushes
// the read deadline too, so an answer is awaited timeout after the
// request's last byte, however long the connection sat idle before.
type stallConn struct {
	net.Conn
	timeout time.Duration
}

func (c *stallConn) Read(p []byte) (int, error) {
	c.Conn.SetReadDeadline(time.Now().Add(c.timeout))
	return c.Conn.Read(p)
}

func (c *stallConn) Write(p []byte) (int, error) {
	c.Conn.SetDeadline(time.Now().Add(c.timeout))
	return c.Conn.Write(p)
}

func (s *S3) name(key string) string {
	return s.prefix + key[0:2] + "/" + key[2:4] + "/" + key
}

func (s *S3) fail(op, key string, err error) error {
	return &Error{Op: op, Key: key, Err: err}
}

func notFound(err error) bool {
	var er minio.ErrorResponse
	return errors.As(err, &er) && (er.Code == "NoSuchKey" || er.StatusCode == http.StatusNotFound)
}

// Create starts a blob under a new random key. Its bytes stay in memory
// up to PartSize; past that they go out as a multipart upload, one part
// at a time, while the caller writes. Commit or Abort must follow.
func (s *S3) Create() (Writer, error) {
	key, err := newKey()
	if err != nil {
		return nil, err
	}
	return &s3Writer{s: s, key: key}, nil
}

// Open heads the object for its size; reads are GETs.
func (s *S3) Open(key string) (Reader, error) {
	if !validKey(key) {
		return nil, fmt.Errorf("blob: invalid key %q", key)
	}
	info, err := s.client.StatObject(context.Background(), s.bucket, s.name(key), minio.StatObjectOptions{})
	if notFound(err) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, s.fail("head", key, err)
	}
	return &s3Reader{s: s, key: key, size: info.Size}, nil
}

// Delete removes a blob (S3 answers a missing one as deleted).
func (s *S3) Delete(key string) error {
	if !validKey(key) {
		return fmt.Errorf("blob: invalid key %q", key)
	}
	err := s.client.RemoveObject(context.Background(), s.bucket, s.name(key), minio.RemoveObjectOptions{})
	if err != nil && !notFound(err) {
		return s.fail("delete", key, err)
	}
	return nil
}

// Walk lists the prefix; objects that are not blobs of this store (other
// names, a key under the wrong shard) are skipped.
func (s *S3) Walk(fn func(key string) error) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	objects := s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix, Recursive: true})
	defer func() {
		cancel()
		for range objects {
		}
	}()
	for o := range objects {
		if o.Err != nil {
			return s.fail("list", "", o.Err)
		}
		key := path.Base(o.Key)
		if !validKey(key) || s.name(key) != o.Key {
			continue
		}
		if err := fn(key); err != nil {
			return err
		}
	}
	return nil
}

var (
	errFinished = errors.New("blob: writer already finished")
	errAborted  = errors.New("blob: upload aborted")
)

// s3Writer buffers up to the part size, then streams a multipart upload
// from a pipe: PutObject of unknown length reads it in a goroutine, one
// part buffer at a time.
type s3Writer struct {
	s        *S3
	key      string
	buf      []byte // before the multipart upload starts
	pw       *io.PipeWriter
	done     chan struct{} // closed when the upload has ended; err is set then
	err      error
	finished bool
}

func (w *s3Writer) Write(p []byte) (int, error) {
	if w.finished {
		return 0, errFinished
	}
	if w.pw == nil {
		if int64(len(w.buf)+len(p)) <= w.s.partSize {
			w.buf = append(w.buf, p...)
			return len(p), nil
		}
		w.startMultipart()
	}
	// A failed upload closes the pipe with its error: the write returns
	// it at once, or as soon as the upload's request gives up.
	return w.pw.Write(p)
}

func (w *s3Writer) startMultipart() {
	pr, pw := io.Pipe()
	w.pw, w.done = pw, make(chan struct{})
	body := io.MultiReader(bytes.NewReader(w.buf), pr)
	w.buf = nil // the MultiReader lets go of it once read
	go func() {
		defer close(w.done)
		_, err := w.s.client.PutObject(context.Background(), w.s.bucket, w.s.name(w.key), body, -1,
			minio.PutObjectOptions{PartSize: uint64(w.s.partSize), ContentType: "application/octet-stream"})
		if err != nil {
			if errors.Is(err, errAborted) {
				w.err = errAborted
			} else {
				w.err = w.s.fail("put", w.key, err)
			}
			pr.CloseWithError(w.err)
			return
		}
		pr.CloseWithError(errFinished)
	}()
}

// Commit sends the blob (one PUT) or completes its multipart upload, and
// returns once the store holds the object.
func (w *s3Writer) Commit() (string, error) {
	if w.finished {
		return "", errFinished
	}
	w.finished = true
	if w.pw == nil {
		body := w.buf
		w.buf = nil
		_, err := w.s.client.PutObject(context.Background(), w.s.bucket, w.s.name(w.key), bytes.NewReader(body),
			int64(len(body)), minio.PutObjectOptions{ContentType: "application/octet-stream"})
		if err != nil {
			return "", w.s.fail("put", w.key, err)
		}
		return w.key, nil
	}
	w.pw.Close()
	<-w.done
	if w.err != nil {
		return "", w.err
	}
	return w.key, nil
}

// CommitUnsynced is Commit: the store's acknowledgement is the only one.
func (w *s3Writer) CommitUnsynced() (string, error) { return w.Commit() }

// Abort drops the buffer, or aborts the multipart upload (minio-go aborts
// it when its body fails) and waits for that.
func (w *s3Writer) Abort() {
	if w.finished {
		return
	}
	w.finished = true
	w.buf = nil
	if w.pw != nil {
		w.pw.CloseWithError(errAborted)
		<-w.done
	}
}

// s3Reader reads with GETs: Read streams one GET from the position on
// (reopened after a Seek), ReadAt asks for the range it needs.
type s3Reader struct {
	s    *S3
	key  string
	size int64

	mu     sync.Mutex
	pos    int64
	body   io.ReadCloser
	closed bool
}

func (r *s3Reader) Size() int64 { return r.size }

func (r *s3Reader) get(off, end int64) (io.ReadCloser, error) {
	var opts minio.GetObjectOptions
	if off > 0 || end < r.size {
		if err := opts.SetRange(off, end-1); err != nil {
			return nil, err
		}
	}
	core := minio.Core{Client: r.s.client}
	body, _, _, err := core.GetObject(context.Background(), r.s.bucket, r.s.name(r.key), opts)
	if notFound(err) {
		return nil, r.s.fail("get", r.key, ErrNotFound)
	}
	if err != nil {
		return nil, r.s.fail("get", r.key, err)
	}
	return body, nil
}

func (r *s3Reader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return 0, errClosed
	}
	if r.pos >= r.size {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if r.body == nil {
		body, err := r.get(r.pos, r.size)
		if err != nil {
			return 0, err
		}
		r.body = body
	}
	n, err := r.body.Read(p)
	r.pos += int64(n)
	if err != nil {
		r.body.Close()
		r.body = nil
		if err == io.EOF && r.pos == r.size {
			err = nil
		} else if err == io.EOF {
			err = r.s.fail("get", r.key, io.ErrUnexpectedEOF)
		} else {
			err = r.s.fail("get", r.key, err)
		}
	}
	return n, err
}

var errClosed = errors.New("blob: reader closed")

func (r *s3Reader) Seek(offset int64, whence int) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return 0, errClosed
	}
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.pos
	case io.SeekEnd:
		offset += r.size
	default:
		return 0, errors.New("blob: seek: invalid whence")
	}
	if offset < 0 {
		return 0, errors.New("blob: seek: negative position")
	}
	if offset != r.pos && r.body != nil {
		r.body.Close()
		r.body = nil
	}
	r.pos = offset
	return offset, nil
}

// ReadAt asks for the bytes [off, off+len(p)) clipped to the blob; it is
// safe to call concurrently.
func (r *s3Reader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("blob: read at a negative offset")
	}
	if off >= r.size {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	end := min(off+int64(len(p)), r.size)
	body, err := r.get(off, end)
	if err != nil {
		return 0, err
	}
	defer body.Close()
	n, err := io.ReadFull(body, p[:end-off])
	if err != nil {
		return n, r.s.fail("get", r.key, err)
	}
	if end-off < int64(len(p)) {
		return n, io.EOF
	}
	return n, nil
}

func (r *s3Reader) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	if r.body != nil {
		r.body.Close()
		r.body = nil
	}
	return nil
}
