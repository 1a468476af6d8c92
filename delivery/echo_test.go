package delivery

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestEcho(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"sample", EchoLimit, "sample"},
		{"", EchoLimit, ""},
		{"w_%c0%ae", EchoLimit, "w_%c0%ae"},               // escaped already: kept as sent
		{"\xc0\xae", EchoLimit, "%C0%AE"},                 // the overlong "." of %c0%ae, decoded
		{"a\r\nX-Injected: 1", 0, "a%0D%0AX-Injected: 1"}, // no header injection
		{"nul\x00tab\tdel\x7f", 0, "nul%00tab%09del%7F"},
		{"café 日本", EchoLimit, "café 日本"}, // printable UTF-8 stays
		{"c1\u0085", 0, "c1%C2%85"},       // C1 control (NEL)
		{"rtl\u202eoverride", 0, "rtl%E2%80%AEoverride"},
		{"line\u2028sep", 0, "line%E2%80%A8sep"},
		{"zw\u200bsp", 0, "zw%E2%80%8Bsp"},
		{"nb\u00a0sp", 0, "nb%C2%A0sp"},
		{"trunc\xe6\x97", 0, "trunc%E6%97"}, // a cut-off UTF-8 sequence
		{strings.Repeat("a", 130), EchoLimit, strings.Repeat("a", 120) + "..."},
		{strings.Repeat("a", 120), EchoLimit, strings.Repeat("a", 120)},
		{strings.Repeat("a", 5000), 0, strings.Repeat("a", 5000)},
		// Cut after whole characters and escapes, never inside one.
		{"abcdefgh日本", 10, "abcdefgh..."},
		{"abcdefg\x01x", 9, "abcdefg..."},
		{"abcdef\x01x", 9, "abcdef%01..."},
		{"\x01\x02", 2, "..."},
	} {
		if got := Echo(c.in, c.max); got != c.want {
			t.Errorf("Echo(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}

// Clean text comes back as it is, without allocating: the common case of
// an error message.
func TestEchoCleanAllocatesNothing(t *testing.T) {
	for _, s := range []string{"Resource not found - folder/pic", "Invalid width in transformation: abc", "café"} {
		if n := testing.AllocsPerRun(100, func() { _ = Echo(s, EchoLimit) }); n != 0 {
			t.Errorf("Echo(%q): %v allocations", s, n)
		}
	}
}

// FuzzEcho checks what Echo promises for any input: valid UTF-8 with only
// printable characters, within max+3 bytes, unchanged when there was
// nothing to do, and every kept character in order.
func FuzzEcho(f *testing.F) {
	for _, s := range []string{"sample", "\xc0\xae", "a\r\nb", "café", "\u202e", strings.Repeat("é", 100), "%c0%ae", "\x00"} {
		f.Add(s, 0)
		f.Add(s, EchoLimit)
		f.Add(s, 5)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max > 1<<16 || max < -1 {
			max %= 1 << 16
		}
		got := Echo(s, max)
		if !utf8.ValidString(got) {
			t.Fatalf("Echo(%q, %d) = %q: not UTF-8", s, max, got)
		}
		for _, r := range got {
			if !unicode.IsPrint(r) {
				t.Fatalf("Echo(%q, %d) = %q: %U does not print", s, max, got, r)
			}
		}
		if max > 0 && len(got) > max+3 {
			t.Fatalf("Echo(%q, %d) = %d bytes", s, max, len(got))
		}
		printable := utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) < 0
		if printable && (max <= 0 || len(s) <= max) && got != s {
			t.Fatalf("Echo(%q, %d) = %q: changed printable text", s, max, got)
		}
		// Without a cut, dropping the escapes Echo added gives back the
		// printable characters of s, in order.
		if max <= 0 {
			var kept strings.Builder
			for i := 0; i < len(s); {
				r, size := utf8.DecodeRuneInString(s[i:])
				if !(r == utf8.RuneError && size == 1) && unicode.IsPrint(r) {
					kept.WriteString(s[i : i+size])
				}
				i += size
			}
			if want := kept.String(); !subsequence(got, want) {
				t.Fatalf("Echo(%q) = %q lost characters of %q", s, got, want)
			}
		}
	})
}

// subsequence reports whether want's bytes appear in got in order.
func subsequence(got, want string) bool {
	j := 0
	for i := 0; i < len(got) && j < len(want); i++ {
		if got[i] == want[j] {
			j++
		}
	}
	return j == len(want)
}
