package api

import (
	"crypto/rand"
	"path"
	"strings"
	"unicode/utf8"
)

// maxPublicIDRunes is Cloudinary's public ID length limit.
const maxPublicIDRunes = 255

// CheckPublicID refuses public IDs no URL could carry safely: empty,
// leading or trailing "/" or space, "." or ".." segments, empty segments,
// control characters, "?" "#" "\", a v<digits> folder (it would read as a
// version), or more than 255 characters.
func CheckPublicID(id string) error {
	switch {
	case id == "":
		return BadRequest("Invalid public_id - must not be empty")
	case utf8.RuneCountInString(id) > maxPublicIDRunes:
		return BadRequest("Invalid public_id - longer than %d characters", maxPublicIDRunes)
	case !utf8.ValidString(id):
		return BadRequest("Invalid public_id - not valid UTF-8")
	case strings.HasPrefix(id, "/") || strings.HasSuffix(id, "/"):
		return BadRequest("Invalid public_id %s - must not start or end with /", Clip(id))
	case strings.TrimSpace(id) != id:
		return BadRequest("Invalid public_id %s - must not start or end with a space", Clip(id))
	}
	for _, r := range id {
		if r < 0x20 || r == 0x7f || r == '?' || r == '#' || r == '\\' {
			return BadRequest("Invalid public_id %s - must not contain control characters, ?, # or \\", Clip(id))
		}
	}
	segs := strings.Split(id, "/")
	for i, seg := range segs {
		switch {
		case seg == "" || seg == "." || seg == "..":
			return BadRequest("Invalid public_id %s - empty, '.' and '..' path segments are not allowed", Clip(id))
		case i < len(segs)-1 && isVersionSegment(seg):
			return BadRequest("Invalid public_id %s - a folder must not look like a version (v<digits>)", Clip(id))
		}
	}
	return nil
}

func isVersionSegment(s string) bool {
	if len(s) < 2 || s[0] != 'v' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// CheckFolder checks a folder path: the folder, asset_folder and
// public_id_prefix parameters, and the folders the Admin API names
// (folders, upload_mappings). Slashes at either end are ignored and ""
// (the root) passes; a folder no public ID could sit in (CheckPublicID's
// rules, so at most 253 characters) is refused as Cloudinary words it:
// "Invalid folder - <folder>".
func CheckFolder(f string) error {
	f = strings.Trim(f, "/")
	if f == "" {
		return nil
	}
	if err := CheckPublicID(f + "/x"); err != nil {
		return BadRequest("Invalid folder - %s", Clip(f))
	}
	return nil
}

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// RandomID returns n random lower-case letters and digits, like
// Cloudinary's generated public IDs.
func RandomID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}

// FilenameStem turns a client's file name into a public ID stem: the base
// name without extension, with characters outside letters, digits, "-",
// "_" and "." replaced by "_".
func FilenameStem(name string) (stem, ext string) {
	base := path.Base(strings.ReplaceAll(name, "\\", "/"))
	ext = path.Ext(base)
	stem = strings.TrimSuffix(base, ext)
	var b strings.Builder
	for _, r := range stem {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		case r > 0x7f && r != utf8.RuneError:
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	stem = strings.Trim(b.String(), ".")
	if stem == "" || stem == "." {
		stem = "file"
	}
	return stem, strings.TrimPrefix(ext, ".")
}
