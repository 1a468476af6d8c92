package origin

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/mediacdn/mediacdn/origin/api"
)

// An Upload API request is refused as soon as what refuses it is known,
// and its file is never held in memory:
//
//   - before its body is read (admitUpload): HTTP Basic credentials that
//     do not match, a bearer token, a body declared larger than an upload
//     may be, too many requests in progress (upload_slots.go);
//   - as its body streams (readUpload): fields past their budget, and the
//     credentials among the fields before the file (api.AuthenticateBeforeFile):
//     the SDKs send every field before the file, so a bad signature is
//     answered before the file is read;
//   - once the body is read: the credentials, all of them (a file before
//     the fields is read to disk first, then judged).
//
// The file goes to a temporary file (upload_spool.go) as it arrives, and the
// rest of the upload reads it from there; nothing is stored before the
// credentials check out. A request refused before its body's end gets its
// answer at once and its connection closed (refuse).

// uploadBodyLimit is the largest body an Upload API request may have: a
// file of MaxUploadSize as base64 text, the fields, and room for framing.
func (c *call) uploadBodyLimit() int64 {
	return int64(c.s.cfg.MaxUploadSize)*4/3 + api.MaxUploadFieldsBytes + 64<<10
}

// admitUpload checks what can be checked before the body is read and takes
// a slot among the uploads in progress; release gives it back.
func (c *call) admitUpload(action string) (release func(), err error) {
	if action != "delete_by_token" {
		if _, err := api.AuthenticateHeaders(c.r, c.cl); err != nil {
			return nil, err
		}
	}
	if n := c.r.ContentLength; n > c.uploadBodyLimit() {
		return nil, api.FileTooLarge(n, int64(c.s.cfg.MaxUploadSize))
	}
	release, aerr := c.s.uploads.acquire(c.cloud, clientAddr(c.r))
	if aerr != nil {
		return nil, aerr
	}
	return release, nil
}

// readUpload reads the parameters, the file to disk, and authenticates
// them. The Params it returns (even with an error) hold the file, if any:
// the caller closes them.
func (c *call) readUpload(action string) (*api.Params, error) {
	max := int64(c.s.cfg.MaxUploadSize)
	c.body = &trackedBody{ReadCloser: http.MaxBytesReader(api.Unwrapped(c.w), c.r.Body, c.uploadBodyLimit()),
		rc: http.NewResponseController(api.Unwrapped(c.w)), idle: c.s.cfg.Uploads.IdleTimeout}
	c.r.Body = c.body
	defer c.body.done()
	var beforeFile func(*api.Params) error
	signed := action != "delete_by_token"
	if basic, _ := api.AuthenticateHeaders(c.r, c.cl); basic {
		signed = false
	}
	if signed {
		beforeFile = func(p *api.Params) error {
			if isUnsigned(action, false, p) {
				return c.takeUnsigned() // counted before its file is read
			}
			return api.AuthenticateBeforeFile(c.cl, p, c.s.now())
		}
	}
	p, err := api.ReadUpload(c.r, c.s.spool, max, beforeFile)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			err = api.FileTooLarge(mbe.Limit, max)
		}
		return p, err
	}
	if signed && isUnsigned(action, false, p) {
		c.unsigned = true
		return p, c.takeUnsigned()
	}
	if action != "delete_by_token" {
		if err := api.Authenticate(c.r, c.cl, p, archiveAuthTime(action, p, c.s.now())); err != nil {
			return p, err
		}
	}
	return p, nil
}

// refusedBodyGrace is how long the server may still read a refused
// request's body after answering (net/http reads up to 256 KiB of it, so
// that closing the connection does not reset it under a client still
// sending, which could lose the answer) before it drops the connection.
const refusedBodyGrace = 2 * time.Second

// refuse answers an error. When the request's body has not been read to
// its end, the answer closes the connection: a client still sending gets
// its answer at once (net/http would otherwise read up to 256 KiB of the
// body before answering), and one that stalls is dropped after
// refusedBodyGrace.
func (c *call) refuse(err error) {
	if c.r.ContentLength != 0 && (c.body == nil || !c.body.eof) {
		c.w.Header().Set("Connection", "close")
		http.NewResponseController(api.Unwrapped(c.w)).SetReadDeadline(time.Now().Add(refusedBodyGrace))
	}
	c.fail(err)
}

// trackedBody is an upload's body: it drops a client that sends nothing
// for idle (each read must end within it), and notes that the body was
// read to its end.
type trackedBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	idle time.Duration // ≤ 0: no bound
	eof  bool
}

func (b *trackedBody) Read(p []byte) (int, error) {
	if b.idle > 0 {
		b.rc.SetReadDeadline(time.Now().Add(b.idle))
	}
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.eof = true
	}
	return n, err
}

// done lifts the idle bound once the body has been read: net/http reads
// the connection in the background while the request is served, to see
// the client leave, and a deadline would end that read, and the request
// with it.
func (b *trackedBody) done() {
	if b.idle > 0 {
		b.rc.SetReadDeadline(time.Time{})
	}
}
