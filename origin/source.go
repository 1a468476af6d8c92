package origin

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/url"
	"strings"
)

// source is an upload's file, read into memory (at most MaxUploadSize).
type source struct {
	data []byte
	name string // the client's file name, URL base name or "file"
}

// readSource resolves the file parameter: a multipart file part, a base64
// data URI, an http(s) URL fetched by the origin, or the field's text.
func (s *Server) readSource(ctx context.Context, p *Params) (*source, error) {
	if p.File != nil {
		return &source{data: p.File.Data, name: p.File.Name}, nil
	}
	f := p.Get("file")
	switch {
	case f == "":
		return nil, badRequest("Missing required parameter - file")
	case strings.HasPrefix(f, "data:"):
		data, err := decodeDataURI(f, int64(s.cfg.MaxUploadSize))
		if err != nil {
			return nil, err
		}
		return &source{data: data, name: "file"}, nil
	case strings.HasPrefix(f, "http://") || strings.HasPrefix(f, "https://"):
		data, name, err := s.fetch.get(ctx, f, nil)
		if err != nil {
			return nil, err
		}
		return &source{data: data, name: name}, nil
	case hasURLScheme(f):
		return nil, badRequest("Unsupported source URL - %s", clip(f))
	}
	if int64(len(f)) > int64(s.cfg.MaxUploadSize) {
		return nil, fileTooLarge(int64(len(f)), int64(s.cfg.MaxUploadSize))
	}
	return &source{data: []byte(f), name: "file"}, nil
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

// decodeDataURI decodes data:[<type>][;base64],<data>.
func decodeDataURI(s string, max int64) ([]byte, error) {
	head, body, ok := strings.Cut(s[len("data:"):], ",")
	if !ok {
		return nil, badRequest("Invalid data URI - no comma")
	}
	if !strings.HasSuffix(head, ";base64") {
		data, err := url.PathUnescape(body)
		if err != nil {
			return nil, badRequest("Invalid data URI - bad escaping")
		}
		if int64(len(data)) > max {
			return nil, fileTooLarge(int64(len(data)), max)
		}
		return []byte(data), nil
	}
	body = strings.TrimRight(strings.Map(dropSpace, body), "=")
	if n := int64(base64.RawStdEncoding.DecodedLen(len(body))); n > max {
		return nil, fileTooLarge(n, max)
	}
	enc := base64.RawStdEncoding
	if strings.ContainsAny(body, "-_") {
		enc = base64.RawURLEncoding
	}
	data, err := enc.DecodeString(body)
	if err != nil {
		return nil, badRequest("Invalid data URI - bad base64")
	}
	return data, nil
}

func dropSpace(r rune) rune {
	if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
		return -1
	}
	return r
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
