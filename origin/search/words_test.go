package search

import (
	"slices"
	"strings"
	"testing"
)

// TestWords checks how values are cut into words: runs of letters and
// digits (Unicode), lower-cased, distinct, bounded.
func TestWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"shoes", []string{"shoes"}},
		{"Blue_Shoes-2024/été", []string{"blue", "shoes", "2024", "été"}},
		{"my pics/Summer Shoes.v2", []string{"my", "pics", "summer", "shoes", "v2"}},
		{"ŚNIEG śnieg", []string{"śnieg"}},
		{"猫 と 犬", []string{"猫", "と", "犬"}},
		{"--//  ", nil},
		{"", nil},
	} {
		if got := Words(c.in); !slices.Equal(got, c.want) {
			t.Errorf("Words(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	long := strings.Repeat("é", 40) // 80 bytes
	if got := Words(long); len(got) != 1 || got[0] != strings.Repeat("é", 32) {
		t.Errorf("Words(80 bytes) = %q, want the first 64 bytes", got)
	}
	many := strings.Repeat("w ", 10)
	for i := range 40 {
		many += " w" + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	if got := Words(many); len(got) != MaxWordsPerValue {
		t.Errorf("Words of 41 words = %d words, want %d", len(got), MaxWordsPerValue)
	}
	if !IsWord("shoes") || IsWord("Shoes") || IsWord("a/") || IsWord("a b") {
		t.Errorf("IsWord")
	}
}
