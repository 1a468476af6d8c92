package origin

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// The largest patterns the bounds accept, and the cost of compiling them
// (go test ./origin/ -run - -bench StrregexWorstCompile -benchmem).
var worstRegexps = []string{
	`^[a-z]{1,1000}[a-z]{1,1000}[a-z]{1,490}$`,       // 4,981 instructions
	`^[^a]{1,1000}[^b]{1,1000}[^c]{1,490}$`,          // 4,981 instructions, 4,980 ranges
	`^[\p{L}\p{N} ._-]{1,13}$`,                       // 9,750 ranges
	`^\p{L}{1,30}$`,                                  // 19,770 ranges
	`^[\p{L}\p{N}]{1,12}[a-z]{1,1000}[0-9]{1,1000}$`, // 4,025 instructions, 10,964 ranges
}

func BenchmarkStrregexWorstCompile(b *testing.B) {
	for _, p := range worstRegexps {
		b.Run(p, func(b *testing.B) {
			for range b.N {
				if _, err := compileRegex(p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The bounds accept the worst patterns and refuse one a little larger.
func TestStrregexBounds(t *testing.T) {
	for _, p := range worstRegexps {
		if err := checkRegexSize(p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	for p, want := range map[string]string{
		`^[\p{L}\p{N} ._-]{1,255}$`:                "is too complex - its character classes hold more than 20000 ranges",
		`^\p{L}{1,31}$`:                            "is too complex - its character classes hold more than 20000 ranges",
		`^[a-z]{1,1000}[a-z]{1,1000}[a-z]{1,500}$`: "is too complex - it compiles to more than 5000 instructions",
	} {
		if err := checkRegexSize(p); err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %s", p, err, want)
		}
	}
}

// The cache compiles a pattern once whoever asks, keeps at most
// maxRegexCached, and forgets the oldest first.
func TestRegexCache(t *testing.T) {
	c := newRegexCache()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				if re, err := c.get(fmt.Sprintf("^a{%d}$", i+1)); err != nil || !re.MatchString(strings.Repeat("a", i+1)) {
					t.Errorf("%d: %v", i, err)
				}
			}
		}()
	}
	wg.Wait()
	if n := c.compiled(); n < 50 || n > 8*50 {
		t.Fatalf("%d compiles", n)
	}
	before := c.compiled()
	for i := range 50 {
		c.get(fmt.Sprintf("^a{%d}$", i+1))
	}
	if c.compiled() != before {
		t.Fatalf("compiled again: %d, then %d", before, c.compiled())
	}
	for i := range maxRegexCached + 10 {
		c.get(fmt.Sprintf("^b{%d}$", i))
	}
	if len(c.byText) != maxRegexCached || len(c.order) != maxRegexCached {
		t.Fatalf("%d cached, %d in order", len(c.byText), len(c.order))
	}
	if _, ok := c.byText["^a{1}$"]; ok {
		t.Fatal("the oldest is still cached")
	}
}
