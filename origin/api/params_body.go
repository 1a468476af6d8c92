package api

import (
	"bufio"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
)

// bodyReader reads a request's parameters from its body as it streams:
// the fields into memory, within a budget, and, on the Upload API, the
// file parameter to a temporary file (file.go), never into memory.
// Whatever the encoding (multipart, urlencoded, JSON), beforeFile is
// called as the file's value starts, with the fields read so far: the
// credentials among them are checked there, so a request refused for them
// is answered before its file is read.
type bodyReader struct {
	p *Params
	// budget is how many bytes of fields may still be read; each value
	// also costs fieldOverhead (the memory a value takes besides its bytes).
	budget int64
	// spool receives the file parameter; "" makes it an ordinary field
	// (the Admin API, invalidations).
	spool Spool
	// fileLimit bounds a file part; the text of a file field (a data URI,
	// a URL, the file's own text) may be 4/3 of it plus 1 KiB.
	fileLimit  int64
	beforeFile func(*Params) error
	// pending, when set, gives the parameters read so far, for
	// beforeFile, where p does not hold them all yet (JSON).
	pending func() *Params
	buf     []byte // the copy buffer of file values
}

// Limits on request parameters.
const (
	MaxFieldBytes  = 1 << 20 // one non-file field
	MaxFieldsBytes = 8 << 20 // all non-file fields together, Admin API
	// MaxUploadFieldsBytes bounds the fields of an Upload API request,
	// each value counted with fieldOverhead more.
	MaxUploadFieldsBytes = 2 << 20
	fieldOverhead        = 64
	// maxPartHeaderBytes bounds what multipart reads to find a part's
	// headers (the standard library's own bound is 10 MiB).
	maxPartHeaderBytes = 64 << 10
	// copyBufferBytes is the buffer a file value is copied through.
	copyBufferBytes = 32 << 10
)

// errFieldsTooLarge refuses fields past the budget.
func errFieldsTooLarge() *delivery.Error { return BadRequest("Request parameters are too large") }

// read reads the query and the body.
func (b *bodyReader) read(r *http.Request) error {
	if err := b.query(r.URL.RawQuery); err != nil {
		return err
	}
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return nil
	}
	ct, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		return b.multipart(r.Body, ctParams["boundary"])
	}
	br := bufio.NewReaderSize(r.Body, 4096)
	if err := skipSpace(br); err != nil {
		if err == io.EOF {
			return nil // an empty body
		}
		return readFailure(err, "Could not read the request body")
	}
	if c, _ := br.Peek(1); ct == "application/json" || len(c) == 1 && c[0] == '{' {
		// JSON, or no Content-Type at all and a JSON body (the Go SDK).
		return b.json(br)
	}
	// urlencoded, or no Content-Type at all (Go SDK destroy/rename).
	return b.form(br)
}

// query adds the query string's parameters.
func (b *bodyReader) query(q string) error {
	for q != "" {
		var pair string
		pair, q, _ = strings.Cut(q, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err1 := unescapeQuery(k)
		val, err2 := unescapeQuery(v)
		if err1 != nil || err2 != nil {
			return BadRequest("Malformed query string")
		}
		if err := b.field(key, val); err != nil {
			return err
		}
	}
	return nil
}

// field adds one field within the budget.
func (b *bodyReader) field(key, value string) error {
	if b.budget -= int64(len(key)+len(value)) + fieldOverhead; b.budget < 0 {
		return errFieldsTooLarge()
	}
	b.p.add(key, value)
	return nil
}

// isFile reports whether a parameter is the file this reader spools.
func (b *bodyReader) isFile(name string) bool { return name == "file" && b.spool != "" }

// file spools the file parameter's value from r: a file part's content
// (part, with the client's file name) or a file field's text. malformed
// is the answer to a body that breaks off or breaks its encoding.
func (b *bodyReader) file(r io.Reader, name string, part bool, malformed string) error {
	if b.p.file != nil {
		return BadRequest("Parameter file is given more than once")
	}
	if b.beforeFile != nil {
		before := b.p
		if b.pending != nil {
			before = b.pending()
		}
		before.settle()
		if err := b.beforeFile(before); err != nil {
			return err
		}
	}
	u, err := b.spool.Create()
	if err != nil {
		return delivery.Internal(err)
	}
	u.Name = name
	b.p.file, b.p.fileText = u, !part
	if b.buf == nil {
		b.buf = make([]byte, copyBufferBytes)
	}
	limit := b.fileLimit
	if !part {
		limit = limit*4/3 + 1024
	}
	switch err := u.Fill(r, limit, b.buf); {
	case err == ErrPastLimit && part:
		// Cloudinary says how large the file was: count the rest.
		n, err := io.CopyBuffer(io.Discard, io.LimitReader(r, 4*limit), b.buf)
		if err != nil {
			return readFailure(err, malformed)
		}
		return FileTooLarge(u.size+n, limit)
	case err == ErrPastLimit:
		return BadRequest("Parameter file is too long")
	case err != nil:
		return readFailure(err, malformed)
	}
	return nil
}

// readFailure words a failure to read the body: past the body's limit it
// stays a *http.MaxBytesError (readUpload answers File size too large),
// an *delivery.Error is kept, a client that stopped sending is a 408, anything
// else is malformed.
func readFailure(err error, malformed string) error {
	var mbe *http.MaxBytesError
	var ae *delivery.Error
	var ne net.Error
	switch {
	case errors.As(err, &mbe):
		return mbe
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &ne) && ne.Timeout():
		return delivery.Errorf(http.StatusRequestTimeout, "Request Timeout - the request body stopped arriving")
	}
	return BadRequest("%s", malformed)
}

// multipart reads a multipart body part by part.
func (b *bodyReader) multipart(body io.Reader, boundary string) error {
	if boundary == "" {
		return BadRequest("Malformed multipart request: no boundary")
	}
	hb := &headerBudget{r: body}
	mr := multipart.NewReader(hb, boundary)
	for {
		hb.left = maxPartHeaderBytes
		part, err := mr.NextPart()
		hb.left = -1
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return readFailure(err, "Malformed multipart request")
		}
		name := part.FormName()
		if b.isFile(name) {
			if err := b.file(part, part.FileName(), part.FileName() != "", "Malformed multipart request"); err != nil {
				return err
			}
			continue
		}
		v, err := io.ReadAll(io.LimitReader(part, min(MaxFieldBytes, b.budget)+1))
		if err != nil {
			return readFailure(err, "Malformed multipart request")
		}
		if len(v) > MaxFieldBytes {
			return BadRequest("Parameter %s is too long", Clip(name))
		}
		if err := b.field(name, string(v)); err != nil {
			return err
		}
	}
}

// headerBudget fails reads past left bytes while multipart looks for a
// part's headers (left < 0: no bound, while a part's content is read).
type headerBudget struct {
	r    io.Reader
	left int
}

func (h *headerBudget) Read(p []byte) (int, error) {
	if h.left == 0 {
		return 0, BadRequest("Malformed multipart request: part headers are too large")
	}
	if h.left > 0 && len(p) > h.left {
		p = p[:h.left]
	}
	n, err := h.r.Read(p)
	if h.left > 0 {
		h.left -= n
	}
	return n, err
}

// skipSpace consumes white space; io.EOF when nothing else follows.
func skipSpace(br *bufio.Reader) error {
	for {
		c, err := br.ReadByte()
		if err != nil {
			return err
		}
		if !isSpace(c) {
			return br.UnreadByte()
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
