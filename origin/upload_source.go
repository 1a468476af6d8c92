package origin

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/remote"
)

// maxURLBytes bounds a file parameter read as a URL.
const maxURLBytes = api.MaxFieldBytes

// readSource resolves the file parameter into a file on disk, which the
// caller closes: a multipart file part as it came; the text of a file
// field (or the query's file parameter), which is a data URI (base64 or
// percent-encoded) to decode, an http(s) URL for the origin to fetch, or
// else the file's own text. Nothing is held in memory.
func (s *Server) readSource(ctx context.Context, p *api.Params) (_ *upfile, err error) {
	f, text := p.TakeFile()
	var src *upfile
	if f != nil {
		src = &upfile{File: f}
	} else {
		v := p.Get("file")
		if v == "" {
			return nil, api.BadRequest("Missing required parameter - file")
		}
		if src, err = s.upfileOf([]byte(v), "file"); err != nil {
			return nil, delivery.Internal(err)
		}
		text = true
	}
	if !text {
		return src, nil
	}
	keep := false
	defer func() {
		if !keep {
			src.close()
		}
	}()
	max := int64(s.cfg.MaxUploadSize)
	switch {
	case src.Size() == 0:
		return nil, api.BadRequest("Missing required parameter - file")
	case src.HasPrefix("data:"):
		return s.decodeDataURI(src, max)
	case src.HasPrefix("http://") || src.HasPrefix("https://"):
		if src.Size() > maxURLBytes {
			return nil, api.BadRequest("Invalid URL for file - %s", api.Clip(string(src.Head(101))))
		}
		return s.fetchSource(ctx, strings.TrimRight(src.Text(), " \t\r\n"))
	case hasURLScheme(string(src.Head(16))):
		return nil, api.BadRequest("Unsupported source URL - %s", api.Clip(string(src.Head(101))))
	case src.Size() > max:
		return nil, api.FileTooLarge(src.Size(), max)
	}
	src.Name, keep = "file", true
	return src, nil
}

// fetchSource downloads rawURL into a new file.
func (s *Server) fetchSource(ctx context.Context, rawURL string) (*upfile, error) {
	out, err := s.newUpfile()
	if err != nil {
		return nil, delivery.Internal(err)
	}
	if out.Name, err = s.fetch.GetTo(ctx, rawURL, nil, out); err != nil {
		out.close()
		return nil, s.fetchFailed(err, rawURL)
	}
	return out, nil
}

// fetchFailed words a failed download (origin/remote) as the Upload API
// answers it: 400 with Cloudinary's message. A failure to store what
// arrived is internal.
func (s *Server) fetchFailed(err error, rawURL string) *delivery.Error {
	var re *remote.Error
	switch {
	case !errors.As(err, &re):
		return delivery.Internal(fmt.Errorf("storing a fetched file: %w", err))
	case re.Why == remote.BadURL:
		return api.BadRequest("Invalid URL for file - %s", api.Clip(rawURL))
	case re.Why == remote.TooLarge:
		return api.FileTooLarge(re.Size, int64(s.cfg.MaxUploadSize))
	}
	return api.BadRequest("Error in loading %s - %s", api.Clip(rawURL), re.Reason).Because(err)
}

// hasURLScheme reports whether s starts like scheme:// (s3://, ftp://...).
func hasURLScheme(s string) bool {
	i := strings.Index(s, "://")
	if i <= 0 || i > 10 {
		return false
	}
	for _, c := range s[:i] {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// maxDataURIHead bounds a data URI's part before its comma.
const maxDataURIHead = 4096

// decodeDataURI decodes the data URI src holds, data:[<type>][;base64],
// <data>, into a new file of at most max bytes.
func (s *Server) decodeDataURI(src *upfile, max int64) (*upfile, error) {
	const prefix = int64(len("data:"))
	head := src.Head(int(prefix) + maxDataURIHead)[prefix:]
	comma := bytes.IndexByte(head, ',')
	if comma < 0 {
		return nil, api.BadRequest("Invalid data URI - no comma")
	}
	start := prefix + int64(comma) + 1
	body := bufio.NewReaderSize(io.NewSectionReader(src, start, src.Size()-start), 32<<10)
	var r io.Reader = &percentDecoder{br: body}
	bad := "Invalid data URI - bad escaping"
	if bytes.HasSuffix(head[:comma], []byte(";base64")) {
		r = base64.NewDecoder(base64.RawStdEncoding, &base64Text{r: body})
		bad = "Invalid data URI - bad base64"
	}
	out, err := s.newUpfile()
	if err != nil {
		return nil, delivery.Internal(err)
	}
	out.Name = "file"
	buf := make([]byte, 32<<10)
	err = out.Fill(r, max, buf)
	if err == api.ErrPastLimit {
		// Cloudinary says how large the file was: decode the rest.
		var n int64
		if n, err = io.CopyBuffer(io.Discard, r, buf); err == nil {
			err = api.FileTooLarge(out.Size()+n, max)
		}
	}
	if err != nil {
		out.close()
		var ae *delivery.Error
		if errors.As(err, &ae) {
			return nil, ae
		}
		return nil, api.BadRequest("%s", bad)
	}
	return out, nil
}

// base64Text hands a data URI's base64 text to a RawStdEncoding decoder:
// white space dropped, the URL-safe alphabet (- _) read as the standard
// one (+ /) unless the text mixes them, = only as padding at the end. It
// filters what it reads in place.
type base64Text struct {
	r             io.Reader
	std, url, pad bool
}

var errBadBase64 = errors.New("bad base64")

func (t *base64Text) Read(p []byte) (int, error) {
	for {
		n, err := t.r.Read(p)
		k := 0
		for _, c := range p[:n] {
			switch c {
			case ' ', '\t', '\n', '\r':
				continue
			case '=':
				t.pad = true
				continue
			case '-':
				t.url, c = true, '+'
			case '_':
				t.url, c = true, '/'
			case '+', '/':
				t.std = true
			}
			if t.pad || t.std && t.url {
				return k, errBadBase64
			}
			p[k] = c
			k++
		}
		if k > 0 || err != nil {
			return k, err
		}
	}
}

// percentDecoder decodes %XX escapes (a data URI without ;base64).
type percentDecoder struct{ br *bufio.Reader }

var errBadEscape = errors.New("bad escaping")

func (d *percentDecoder) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c, err := d.br.ReadByte()
		if err != nil {
			if n > 0 && err == io.EOF {
				break
			}
			return n, err
		}
		if c == '%' {
			hi, err1 := d.br.ReadByte()
			lo, err2 := d.br.ReadByte()
			var b [1]byte
			if _, err := hex.Decode(b[:], []byte{hi, lo}); err1 != nil || err2 != nil || err != nil {
				return n, errBadEscape
			}
			c = b[0]
		}
		p[n] = c
		n++
	}
	return n, nil
}

// sniffVideo recognises video and audio containers by their magic bytes
// (Cloudinary files audio under the video resource type).
func sniffVideo(b []byte) (format string, ok bool) {
	switch {
	case len(b) >= 12 && string(b[4:8]) == "ftyp":
		switch brand := string(b[8:12]); {
		case brand == "qt  ":
			return "mov", true
		case strings.HasPrefix(brand, "M4A"):
			return "m4a", true
		case strings.HasPrefix(brand, "3g2"):
			return "3g2", true
		case strings.HasPrefix(brand, "3gp"):
			return "3gp", true
		case brand == "avif" || brand == "avis" || brand == "heic" || brand == "heix" || brand == "mif1" || brand == "msf1":
			return "", false // images
		}
		return "mp4", true
	case bytes.HasPrefix(b, []byte{0x1a, 0x45, 0xdf, 0xa3}):
		if bytes.Contains(b[:min(len(b), 64)], []byte("webm")) {
			return "webm", true
		}
		return "mkv", true
	case len(b) >= 12 && string(b[0:4]) == "RIFF" && string(b[8:12]) == "AVI ":
		return "avi", true
	case len(b) >= 12 && string(b[0:4]) == "RIFF" && string(b[8:12]) == "WAVE":
		return "wav", true
	case bytes.HasPrefix(b, []byte("FLV")):
		return "flv", true
	case bytes.HasPrefix(b, []byte("OggS")):
		if bytes.Contains(b[:min(len(b), 64)], []byte("theora")) {
			return "ogv", true
		}
		return "ogg", true
	case bytes.HasPrefix(b, []byte("fLaC")):
		return "flac", true
	case bytes.HasPrefix(b, []byte("ID3")) || len(b) > 2 && b[0] == 0xff && b[1]&0xe0 == 0xe0 && b[1]&0x06 != 0:
		return "mp3", true
	case len(b) > 188 && b[0] == 0x47 && b[188] == 0x47:
		return "ts", true
	}
	return "", false
}
