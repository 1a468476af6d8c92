package delivery

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
)

// Bounds of a search URL (FormSearch).
const (
	// SearchSignatureLength is the signature's length: hex SHA-256.
	SearchSignatureLength = 64
	// MaxSearchTTL is the longest ttl a search URL may ask for, in
	// seconds: one day. Cloudinary documents no maximum; a day keeps a
	// result an edge caches from outliving the assets it lists by much.
	MaxSearchTTL = 86400
	// MaxSearchQueryLength bounds the query segment (base64), and with it
	// the JSON an origin decodes (3/4 of it).
	MaxSearchQueryLength = 4096
	// MaxSearchCursorLength bounds the next_cursor segment.
	MaxSearchCursorLength = 1024
)

// SearchURL is what a search URL carries: the Search API's cacheable,
// signed form that the SDKs build (the Node SDK's search.to_url), a search
// run without an API key and cached for TTL seconds:
//
//	/<cloud>/search/<signature>/<ttl>/<base64(JSON of the query)>[/<next_cursor>]
//
// where signature = hex(sha256(ttl + query + api_secret)), the ttl and
// query as written. The query is standard base64 (with "+", "/" and "="),
// so it may span several path segments: the next_cursor is the last
// segment when the whole does not decode to a JSON object and the rest
// does (a cursor after a query without padding decodes to a byte that is
// no JSON, 0xFC or more, so the two never read alike).
type SearchURL struct {
	// Signature is the hex signature as written (lowercase).
	Signature string
	// TTL is how long the answer may be cached, in seconds: 1 to
	// MaxSearchTTL. TTLText is it as written (what is signed).
	TTL     int
	TTLText string
	// Query is the base64 JSON of the search as written (what is signed).
	Query string
	// Cursor is the next_cursor segment, "" for the first page.
	Cursor string
}

// IsSearch reports whether the URL is a search URL (u.Search holds it).
func (u *URL) IsSearch() bool { return u.Form == FormSearch }

// DecodeQuery is the search's JSON (an object), decoded from Query.
func (s *SearchURL) DecodeQuery() ([]byte, error) {
	b, ok := decodeSearchQuery(s.Query)
	if !ok {
		return nil, badRequest("Invalid search query - %s", Echo(s.Query, EchoLimit))
	}
	return b, nil
}

// appendPath appends /search/<signature>/<ttl>/<query>[/<cursor>].
func (s *SearchURL) appendPath(dst []byte) []byte {
	dst = append(dst, "/search/"...)
	dst = append(dst, s.Signature...)
	dst = append(dst, '/')
	dst = append(dst, s.TTLText...)
	dst = append(dst, '/')
	dst = append(dst, s.Query...)
	if s.Cursor != "" {
		dst = append(dst, '/')
		dst = append(dst, s.Cursor...)
	}
	return dst
}

// parseSearch reads what follows /<cloud>/search/.
func (u *URL) parseSearch(rest string) error {
	u.Form = FormSearch
	sig, rest, _ := cut(rest, '/')
	if len(sig) != SearchSignatureLength || !isLowerHex(sig) {
		return badRequest("Invalid search URL signature - %s", Echo(sig, EchoLimit))
	}
	ttl, rest, more := cut(rest, '/')
	n, ok := searchTTL(ttl)
	if !ok {
		return badRequest("Invalid search URL ttl - %s (must be 1 to %d seconds)", Echo(ttl, EchoLimit), MaxSearchTTL)
	}
	if !more || rest == "" {
		return badRequest("Missing search query")
	}
	u.Search = SearchURL{Signature: sig, TTL: n, TTLText: ttl}
	if len(rest) <= MaxSearchQueryLength && isSearchQuery(rest) {
		u.Search.Query = rest
		return nil
	}
	for i := len(rest) - 1; i > 0; i-- {
		if rest[i] != '/' {
			continue
		}
		q, cursor := rest[:i], rest[i+1:]
		if cursor == "" || len(cursor) > MaxSearchCursorLength || !isCursor(cursor) {
			return badRequest("Invalid next_cursor - %s", Echo(cursor, EchoLimit))
		}
		if len(q) > MaxSearchQueryLength {
			return badRequest("Search query too long")
		}
		if !isSearchQuery(q) {
			break
		}
		u.Search.Query, u.Search.Cursor = q, cursor
		return nil
	}
	if len(rest) > MaxSearchQueryLength {
		return badRequest("Search query too long")
	}
	return badRequest("Invalid search query - %s", Echo(rest, EchoLimit))
}

// searchTTL reads a ttl: decimal digits without a leading zero, 1 to
// MaxSearchTTL.
func searchTTL(s string) (int, bool) {
	if s == "" || len(s) > 6 || s[0] == '0' {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 1 && n <= MaxSearchTTL
}

// isSearchQuery reports whether s is standard base64 of a JSON object.
func isSearchQuery(s string) bool {
	_, ok := decodeSearchQuery(s)
	return ok
}

func decodeSearchQuery(s string) ([]byte, bool) {
	if s == "" || len(s)%4 != 0 || len(s) > MaxSearchQueryLength {
		return nil, false
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || !json.Valid(b) {
		return nil, false
	}
	for _, c := range b {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '{':
			return b, true
		}
		return nil, false
	}
	return nil, false
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isDigit(c) && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// isCursor accepts the characters of the Search API's cursors (base64url
// and dots; mediacdn's are base64url parts joined by a dot).
func isCursor(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isWord(c) && c != '-' && c != '.' && c != '=' {
			return false
		}
	}
	return true
}
