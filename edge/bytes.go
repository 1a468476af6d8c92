package edge

import "unsafe"

// b2s views bytes as a string without copying. The string is valid only
// while b is: within one request, for fasthttp's buffers.
func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// s2b views a string as bytes without copying; the bytes must not change.
func s2b(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// keyBuf is a pooled buffer for building cache keys on the request path.
type keyBuf struct{ b []byte }

func clone(s string) string { return string(append([]byte(nil), s...)) }
