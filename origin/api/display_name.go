package api

import "unicode/utf8"

// MaxDisplayNameBytes bounds a display name a client gives, in bytes of
// UTF-8: display names are indexed with their asset folder (for
// unique_display_name), and PostgreSQL's index rows are bounded (about
// 2.7 KB), where a longer name would fail the write.
const MaxDisplayNameBytes = 1024

// CheckDisplayName checks a display name a client gives (display_name).
func CheckDisplayName(name string) error {
	if len(name) > MaxDisplayNameBytes {
		return BadRequest("Invalid display_name - longer than %d bytes", MaxDisplayNameBytes)
	}
	return nil
}

// ClipDisplayName cuts a display name the server makes (of a file's
// name) to MaxDisplayNameBytes, at a character boundary.
func ClipDisplayName(name string) string {
	if len(name) <= MaxDisplayNameBytes {
		return name
	}
	n := MaxDisplayNameBytes
	for n > 0 && !utf8.RuneStart(name[n]) {
		n--
	}
	return name[:n]
}
