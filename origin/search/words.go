package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The words (tokens) of a text value, which a term with : matches (a word
// of public_id, filename, display_name, a tag or a context value) and a
// term without a field searches: the runs of letters and digits (Unicode),
// lower-cased. Everything else separates them: "Blue_Shoes-2024/été" is
// blue, shoes, 2024, été. origin/meta indexes the same words.
const (
	// MaxWordBytes bounds a word: a longer one is kept as its first
	// MaxWordBytes bytes (cut at a character), on both sides of a search.
	MaxWordBytes = 64
	// MaxWordsPerValue bounds the words indexed of one value: the first
	// ones.
	MaxWordsPerValue = 32
	// maxTermWords bounds the words of one term's value.
	maxTermWords = 8
)

// Words are the distinct words of s, in order, at most MaxWordsPerValue.
func Words(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(s, notWordRune) {
		w = truncWord(strings.ToLower(w))
		dup := false
		for _, o := range out {
			dup = dup || o == w
		}
		if dup {
			continue
		}
		out = append(out, w)
		if len(out) == MaxWordsPerValue {
			break
		}
	}
	return out
}

// IsWord reports whether s is one word as Words makes them (lower case,
// letters and digits only, not cut).
func IsWord(s string) bool {
	w := Words(s)
	return len(w) == 1 && w[0] == s
}

func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// truncWord cuts w to MaxWordBytes bytes at a character boundary.
func truncWord(w string) string {
	if len(w) <= MaxWordBytes {
		return w
	}
	n := MaxWordBytes
	for n > 0 && !utf8.RuneStart(w[n]) {
		n--
	}
	return w[:n]
}
