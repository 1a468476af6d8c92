package delivery

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/netip"
	"strconv"
	"strings"
)

// Token-based authentication (Cloudinary's "auth_token"): a token travels
// in the __cld_token__ query parameter or cookie as
//
//	ip=<address>~st=<start>~exp=<expiry>~acl=<globs>~hmac=<hex>
//
// (every field but exp and hmac optional), the HMAC-SHA256, with the
// cloud's hex auth_token_key, of the fields before hmac as written, and,
// for a token without acl, "~url=" and the request path escaped as the
// SDKs escape it (escapeTokenChar). Times are Unix seconds. An acl is a
// "!"-separated list of globs in which "*" matches any run of characters,
// "/" included. Edges and origins verify tokens with VerifyToken, without
// asking anyone.

// TokenName is the query parameter and the cookie a token travels in.
const TokenName = "__cld_token__"

// TokenResult is what VerifyToken found.
type TokenResult uint8

// Token results: TokenOK, or why the token does not grant the request.
const (
	TokenOK TokenResult = iota
	TokenMissing
	TokenMalformed
	TokenBadHMAC
	TokenNotYetValid
	TokenExpired
	TokenACLMismatch
	TokenIPMismatch
	TokenNoKey
)

var tokenMessages = [...]string{
	TokenOK:          "",
	TokenMissing:     "Missing token - authenticated delivery needs a signed URL or a __cld_token__ token",
	TokenMalformed:   "Invalid token - malformed",
	TokenBadHMAC:     "Invalid token - bad hmac",
	TokenNotYetValid: "Invalid token - not yet valid",
	TokenExpired:     "Invalid token - expired",
	TokenACLMismatch: "Invalid token - the acl does not cover this URL",
	TokenIPMismatch:  "Invalid token - wrong ip",
	TokenNoKey:       "Invalid token - the cloud has no auth_token_key",
}

// Message is the refusal's text (X-Cld-Error); "" for TokenOK.
func (r TokenResult) Message() string {
	if int(r) < len(tokenMessages) {
		return tokenMessages[r]
	}
	return "Invalid token"
}

// maxTokenKey bounds a key: HMAC-SHA256 hashes longer keys down to 32
// bytes, so nothing longer than a block is ever useful.
const maxTokenKey = 64

// TokenKey is a cloud's auth_token_key, decoded from hex. The zero value
// is no key: every token fails with TokenNoKey.
type TokenKey struct {
	b [maxTokenKey]byte
	n int
}

// ParseTokenKey decodes a hex key, as the SDKs take it.
func ParseTokenKey(s string) (TokenKey, error) {
	var k TokenKey
	if s == "" {
		return k, errors.New("empty key")
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return k, errors.New("not an even-length hex string")
	}
	if len(b) > maxTokenKey {
		sum := sha256.Sum256(b)
		b = sum[:]
	}
	k.n = copy(k.b[:], b)
	return k, nil
}

// Valid reports whether the key was set.
func (k *TokenKey) Valid() bool { return k.n > 0 }

// TokenRequest is what a token is checked against.
type TokenRequest struct {
	// Path is the request path as received (percent-escapes kept, no
	// query): what URL tokens sign and ACLs match.
	Path string
	// Cloud is the URL's cloud: ACLs also match Path without a leading
	// /<cloud> segment, as written for a private-CDN host
	// (/image/authenticated/*).
	Cloud string
	// IP is the client's address, checked against the token's ip.
	IP netip.Addr
	// Now is the time, in Unix seconds.
	Now int64
}

// The bounds under which VerifyToken allocates nothing: a token whose
// signed fields (what comes before "~hmac=") are up to maxStackToken bytes
// (so any token of up to 1 KiB) and, for a token without acl, a path of up to
// maxStackPath bytes, each byte of which may be escaped to three
// (appendTokenEscaped). tokenStack holds the HMAC's inner input at those
// bounds: the key's inner pad (64 bytes), then the message. Larger tokens
// and paths are verified the same, with a buffer on the heap.
const (
	maxStackToken = 1024
	maxStackPath  = 1024
	tokenStack    = 64 + maxStackToken + len("~url=") + 3*maxStackPath
)

// VerifyToken checks token (the value of __cld_token__, as received) for
// r with key. The HMAC is checked first, in constant time: a token whose
// fields were changed is TokenBadHMAC whatever they say. It allocates
// nothing for a token of up to 1 KiB and a path of up to 1 KiB, whatever
// their characters (maxStackToken, maxStackPath).
func VerifyToken(key *TokenKey, token string, r *TokenRequest) TokenResult {
	if token == "" {
		return TokenMissing
	}
	if !key.Valid() {
		return TokenNoKey
	}
	f, ok := parseToken(token)
	if !ok {
		return TokenMalformed
	}
	var buf [tokenStack]byte
	var sum [64]byte
	in := append(buf[:64], f.signed...)
	if f.acl == "" {
		in = append(in, "~url="...)
		in = appendTokenEscaped(in, r.Path)
	}
	key.appendHMAC(sum[:0], in)
	if !sameHMAC(sum[:], f.hmac) {
		return TokenBadHMAC
	}
	switch {
	case f.start != 0 && r.Now < f.start:
		return TokenNotYetValid
	case r.Now > f.exp:
		return TokenExpired
	case f.acl != "" && !aclCovers(f.acl, r.Path, r.Cloud):
		return TokenACLMismatch
	case f.ip != "" && !sameIP(f.ip, r.IP):
		return TokenIPMismatch
	}
	return TokenOK
}

// tokenFields are a token's parts; strings point into the token.
type tokenFields struct {
	ip, acl, hmac string
	start, exp    int64
	// signed is what comes before "~hmac=".
	signed string
}

// parseToken splits a token into its fields: each at most once, exp and
// hmac required, hmac last.
func parseToken(tok string) (tokenFields, bool) {
	var f tokenFields
	i := strings.LastIndex(tok, "~hmac=")
	if i <= 0 {
		return f, false
	}
	f.signed, f.hmac = tok[:i], tok[i+len("~hmac="):]
	var seen uint8
	for rest := f.signed; rest != ""; {
		part := rest
		if j := strings.IndexByte(rest, '~'); j >= 0 {
			part, rest = rest[:j], rest[j+1:]
		} else {
			rest = ""
		}
		name, value, ok := strings.Cut(part, "=")
		if !ok || value == "" {
			return f, false
		}
		var bit uint8
		var err error
		switch name {
		case "ip":
			bit, f.ip = 1, value
		case "st":
			bit = 2
			f.start, err = strconv.ParseInt(value, 10, 64)
		case "exp":
			bit = 4
			f.exp, err = strconv.ParseInt(value, 10, 64)
		case "acl":
			bit, f.acl = 8, value
		default:
			return f, false
		}
		if err != nil || seen&bit != 0 {
			return f, false
		}
		seen |= bit
	}
	return f, seen&4 != 0
}

// appendHMAC appends hex(HMAC-SHA256(key, msg)) to dst (64 bytes), where
// in is 64 bytes of room for the key's inner pad followed by msg: the
// inner hash's input is made in place, with no copy of msg.
func (k *TokenKey) appendHMAC(dst, in []byte) []byte {
	var pad [64]byte
	copy(pad[:], k.b[:k.n])
	for i := range pad {
		in[i] = pad[i] ^ 0x36
	}
	inner := sha256.Sum256(in)
	var obuf [64 + sha256.Size]byte
	for i := range pad {
		obuf[i] = pad[i] ^ 0x5c
	}
	copy(obuf[64:], inner[:])
	outer := sha256.Sum256(obuf[:])
	var h [64]byte
	hex.Encode(h[:], outer[:])
	return append(dst, h[:]...)
}

// sameHMAC compares in constant time.
func sameHMAC(sum []byte, h string) bool {
	if len(h) != len(sum) {
		return false
	}
	var d byte
	for i := range sum {
		d |= sum[i] ^ h[i]
	}
	return subtle.ConstantTimeByteEq(d, 0) == 1
}

// tokenUnsafe are the characters the SDKs escape in a token's url and acl
// (Node's auth_token.js, Go's asset/auth_token.go): as %xx, lower case.
const tokenUnsafe = " \"#%&'/:;<=>?@[\\]^`{|}~"

// appendTokenEscaped appends s escaped as the SDKs escape a token's url.
func appendTokenEscaped(dst []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if strings.IndexByte(tokenUnsafe, c) >= 0 {
			dst = append(dst, '%', hexDigits[c>>4], hexDigits[c&15])
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

// AppendURLToken appends a token for path (as VerifyToken's Path) that
// expires at exp: what an edge sends an origin for a fill, so that the
// origin delivers an asset it would only deliver with a token.
func AppendURLToken(dst []byte, key *TokenKey, path string, exp int64) []byte {
	start := len(dst)
	dst = append(dst, "exp="...)
	dst = strconv.AppendInt(dst, exp, 10)
	in := append(make([]byte, 64, 64+len(dst)-start+len("~url=")+3*len(path)), dst[start:]...)
	in = append(in, "~url="...)
	in = appendTokenEscaped(in, path)
	dst = append(dst, "~hmac="...)
	return key.appendHMAC(dst, in)
}

// aclCovers reports whether one of acl's globs (escaped as the SDKs
// escape it, "!"-separated) matches path, or path without its /<cloud>
// segment.
func aclCovers(acl, path, cloud string) bool {
	var short string
	if cloud != "" && len(path) > len(cloud)+1 && path[0] == '/' && strings.HasPrefix(path[1:], cloud) &&
		path[1+len(cloud)] == '/' {
		short = path[1+len(cloud):]
	}
	for acl != "" {
		glob := acl
		if i := strings.IndexByte(acl, '!'); i >= 0 {
			glob, acl = acl[:i], acl[i+1:]
		} else {
			acl = ""
		}
		if globMatch(glob, path) || short != "" && globMatch(glob, short) {
			return true
		}
	}
	return false
}

// globMatch matches an escaped glob ("*": any run of characters; %xx: the
// byte it escapes) against s, without allocating: the classic
// backtracking to the last star, linear in practice.
func globMatch(glob, s string) bool {
	gi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		if gi < len(glob) {
			c, n := globByte(glob, gi)
			switch {
			case c == '*' && n == 1:
				star, mark = gi+1, si
				gi++
				continue
			case c == s[si]:
				gi += n
				si++
				continue
			}
		}
		if star < 0 {
			return false
		}
		mark++
		gi, si = star, mark
	}
	for gi < len(glob) && glob[gi] == '*' {
		gi++
	}
	return gi == len(glob)
}

// globByte is the byte at glob[i] and how many bytes of glob spell it: a
// %xx escape is one byte (so that "%2a" is a literal '*', never a star).
func globByte(glob string, i int) (byte, int) {
	if glob[i] == '%' && i+2 < len(glob) {
		if h, ok := hexVal(glob[i+1]); ok { // colors.go
			if l, ok := hexVal(glob[i+2]); ok {
				return h<<4 | l, 3
			}
		}
	}
	return glob[i], 1
}

// sameIP reports whether the token's ip is the client's address.
func sameIP(ip string, client netip.Addr) bool {
	a, err := netip.ParseAddr(ip)
	return err == nil && client.IsValid() && a.Unmap() == client.Unmap()
}

// TokenFromQuery finds __cld_token__'s value in a raw query (no decoding:
// the SDKs put the token in as they sign it); "" when absent.
func TokenFromQuery(query string) string {
	for query != "" {
		part := query
		if i := strings.IndexByte(query, '&'); i >= 0 {
			part, query = query[:i], query[i+1:]
		} else {
			query = ""
		}
		if len(part) > len(TokenName) && part[len(TokenName)] == '=' && part[:len(TokenName)] == TokenName {
			return part[len(TokenName)+1:]
		}
	}
	return ""
}
