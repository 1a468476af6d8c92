package delivery

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// Signature lengths: the SDKs' default, and long_url_signature.
const (
	ShortSignatureLength = 8
	LongSignatureLength  = 32
)

// SignatureAlgorithm is the hash of a URL signature.
type SignatureAlgorithm uint8

// Signature algorithms: SHA-1 is the SDKs' default; SHA-256 comes with
// signature_algorithm=sha256 and always with long signatures.
const (
	SHA1 SignatureAlgorithm = iota
	SHA256
)

// Sign computes the signature component ("s--XXXXXXXX--") the SDKs put in a
// URL for the given transformation and public ID with its extension ("" for
// either is left out). A long signature is always SHA-256.
func Sign(transformation, publicIDWithExt, secret string, alg SignatureAlgorithm, long bool) string {
	var buf [256]byte
	b := buf[:0]
	if transformation != "" {
		b = append(b, transformation...)
	}
	if publicIDWithExt != "" {
		if len(b) > 0 {
			b = append(b, '/')
		}
		b = append(b, publicIDWithExt...)
	}
	n := ShortSignatureLength
	if long {
		n, alg = LongSignatureLength, SHA256
	}
	var sig [44]byte
	digest(sig[:], append(b, secret...), alg)
	return "s--" + string(sig[:n]) + "--"
}

// digest writes base64url(H(data)) into dst, which must hold 44 bytes.
func digest(dst, data []byte, alg SignatureAlgorithm) {
	if alg == SHA256 {
		sum := sha256.Sum256(data)
		base64.RawURLEncoding.Encode(dst, sum[:])
		return
	}
	sum := sha1.Sum(data)
	base64.RawURLEncoding.Encode(dst, sum[:])
}

// VerifySignature reports whether the URL's signature is right for secret.
// It accepts the signature over the public ID as written in the URL (Node
// and Python sign the escaped ID) and over the decoded ID (Go and Ruby sign
// it unescaped), with SHA-1 or SHA-256 for short signatures and SHA-256 for
// long ones. The version and SEO suffix are not signed. The comparison takes
// the same time whatever the signature's content.
func (u *URL) VerifySignature(secret string) bool {
	if u.Signature == "" || secret == "" {
		return false
	}
	var buf [512]byte
	ok := u.verify(u.appendSigned(buf[:0], false), secret)
	if hasEscape(u.RawPublicID) {
		ok |= u.verify(u.appendSigned(buf[:0], true), secret)
	}
	return ok == 1
}

func (u *URL) verify(content []byte, secret string) int {
	data := append(content, secret...)
	var sig [44]byte
	n := len(u.Signature)
	ok := 0
	if n == ShortSignatureLength {
		digest(sig[:], data, SHA1)
		ok |= subtle.ConstantTimeCompare(sig[:n], []byte(u.Signature))
	}
	digest(sig[:], data, SHA256)
	ok |= subtle.ConstantTimeCompare(sig[:n], []byte(u.Signature))
	return ok
}

// appendSigned appends what the SDKs sign: the transformation and the
// public ID with its extension, "/"-joined; decoded or as written.
func (u *URL) appendSigned(dst []byte, decoded bool) []byte {
	if u.Transformation != "" {
		dst = append(dst, u.Transformation...)
		dst = append(dst, '/')
	}
	switch {
	case decoded:
		dst = append(dst, u.PublicID...)
		if u.Resource != Raw && u.Ext != "" {
			dst = append(dst, '.')
			dst = append(dst, u.Ext...)
		}
	case u.Type == Fetch || u.Resource == Raw && u.Form != FormSEO:
		dst = append(dst, u.Path[u.idStart:]...)
	default:
		dst = append(dst, u.RawPublicID...)
		if u.Ext != "" {
			dst = append(dst, '.')
			dst = append(dst, u.Ext...)
		}
	}
	return dst
}

// Sign returns the signature component ("s--XXXXXXXX--") the SDKs would put
// in this URL for secret: over the transformation and the decoded public ID
// with its extension.
func (u *URL) Sign(secret string, alg SignatureAlgorithm, long bool) string {
	id := u.appendSigned(nil, true)[len(u.Transformation):]
	if u.Transformation != "" {
		id = id[1:]
	}
	return Sign(u.Transformation, string(id), secret, alg, long)
}
