package api

import (
	"strings"
)

// Context limits.
const (
	MaxContextKeys  = 100
	maxContextBytes = 64 << 10
)

// ParseContext parses Cloudinary's context string "k=v|k2=v2", where "\|"
// and "\=" escape the separators inside keys and values.
func ParseContext(s string) (map[string]string, error) {
	out := map[string]string{}
	if s == "" {
		return out, nil
	}
	if len(s) > maxContextBytes {
		return nil, BadRequest("Context is too large - at most %d bytes", maxContextBytes)
	}
	for _, pair := range splitEscaped(s, '|') {
		if pair == "" {
			continue
		}
		kv := splitEscaped(pair, '=')
		k := unescapeContext(kv[0])
		v := ""
		if len(kv) > 1 {
			v = unescapeContext(strings.Join(kv[1:], "="))
		}
		if k == "" {
			return nil, BadRequest("Invalid context - empty key in %s", Clip(pair))
		}
		out[k] = v
	}
	if len(out) > MaxContextKeys {
		return nil, BadRequest("Too many context keys - at most %d", MaxContextKeys)
	}
	return out, nil
}

// splitEscaped splits s at sep bytes not preceded by a backslash, keeping
// the escapes (unescapeContext removes them).
func splitEscaped(s string, sep byte) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

func unescapeContext(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func escapeContext(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `|`, `\|`, `=`, `\=`)
	return r.Replace(s)
}
