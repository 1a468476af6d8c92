package origin

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"sync"

	"github.com/mediacdn/mediacdn/origin/api"
)

// The strregex patterns of metadata fields' validations: bounded in the
// size of their compiled program when a field is created or updated, and
// compiled once per origin (a cache keyed by the pattern's text), not
// once per call that checks a value.

// Bounds of a strregex pattern's compiled program (docs/metadata.md).
// The worst pattern they accept compiles in about 3.5 ms and 3 MB
// (BenchmarkStrregexWorstCompile); the first pattern they refuse that a
// form might hold, ^[\p{L}\p{N} ._-]{1,255}$, took 6.5 ms and 9.6 MB.
const (
	maxRegexInsts  = 5000  // instructions of the program
	maxRegexRanges = 20000 // character ranges of its character classes
	maxRegexCached = 1000  // compiled patterns an origin keeps
)

// checkRegexSize refuses a pattern whose compiled program is larger than
// the bounds; the error says why in public words.
func checkRegexSize(pattern string) error {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return regexError(err)
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return regexError(err)
	}
	ranges := 0
	for _, in := range prog.Inst {
		ranges += len(in.Rune) / 2
	}
	switch {
	case len(prog.Inst) > maxRegexInsts:
		return fmt.Errorf("is too complex - it compiles to more than %d instructions", maxRegexInsts)
	case ranges > maxRegexRanges:
		return fmt.Errorf("is too complex - its character classes hold more than %d ranges", maxRegexRanges)
	}
	return nil
}

// compileRegex checks a strregex pattern's size and compiles it; the
// error says why it is not one, in public words.
func compileRegex(pattern string) (*regexp.Regexp, error) {
	if err := checkRegexSize(pattern); err != nil {
		return nil, err
	}
	return compileStored(pattern)
}

// compileStored compiles a stored field's pattern: checked when it was
// given (a field stored before the bounds keeps working, compiled once
// per origin by the cache).
func compileStored(pattern string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, regexError(err)
	}
	return re, nil
}

// regexError is a parse error in public words.
func regexError(err error) error {
	var se *syntax.Error
	if errors.As(err, &se) { // "invalid or unsupported Perl syntax: `(?=`": lookarounds, backreferences
		return fmt.Errorf("is not supported - %s: %s", se.Code, api.Clip(se.Expr))
	}
	return fmt.Errorf("is not supported - %s", api.Clip(err.Error()))
}

// regexCache holds an origin's compiled strregex patterns by their text,
// at most maxRegexCached (the oldest goes first); safe for concurrent use.
type regexCache struct {
	mu       sync.Mutex
	byText   map[string]*regexEntry
	order    []string // the keys, oldest first
	compiles int64    // patterns compiled (for tests)
}

// regexEntry is a compiled pattern or the reason it is not one.
type regexEntry struct {
	re  *regexp.Regexp
	err error
}

func newRegexCache() *regexCache { return &regexCache{byText: map[string]*regexEntry{}} }

// get compiles pattern, or finds it compiled.
func (c *regexCache) get(pattern string) (*regexp.Regexp, error) {
	c.mu.Lock()
	e, ok := c.byText[pattern]
	c.mu.Unlock()
	if ok {
		return e.re, e.err
	}
	e = &regexEntry{}
	e.re, e.err = compileStored(pattern) // outside the lock: bounded, but not free
	c.mu.Lock()
	defer c.mu.Unlock()
	c.compiles++
	if _, ok := c.byText[pattern]; !ok {
		if len(c.order) >= maxRegexCached {
			delete(c.byText, c.order[0])
			c.order = c.order[1:]
		}
		c.byText[pattern] = e
		c.order = append(c.order, pattern)
	}
	return e.re, e.err
}

// compiled is how many patterns the cache has compiled.
func (c *regexCache) compiled() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.compiles
}
