// Package search parses Cloudinary's search expression language (the
// Search API's expression parameter) into a checked tree: fields known
// and typed, values converted (numbers, sizes, dates relative to now),
// every error with the byte offset it is at. origin/meta compiles the
// tree to SQL. Standard library only.
package search

import (
	"fmt"
	"time"
)

// Error is an expression error: Pos is the 0-based byte offset of the
// token it is about.
type Error struct {
	Pos int
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("Search expression error at %d: %s", e.Pos, e.Msg) }

func errorf(pos int, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// Node is a node of an expression: And, Or, Not or Term.
type Node interface{ node() }

// And matches what all its nodes match.
type And struct{ Nodes []Node }

// Or matches what any of its nodes matches.
type Or struct{ Nodes []Node }

// Not matches what its node does not.
type Not struct{ Node Node }

// Op is a term's comparison.
type Op int

// Comparisons of a term.
const (
	Eq      Op = iota // = or : (a text field: the whole value, or a prefix; its words with Words)
	Lt                // <
	Le                // <=
	Gt                // >
	Ge                // >=
	InRange           // [a TO b], {a TO b}, or mixed brackets
)

// Term compares one field with a value.
type Term struct {
	Field Field
	// Key is the context key of a context.<key> term, the external ID of
	// a metadata.<external_id> term.
	Key string
	// Kind is how the field's values compare (KindOf, or the metadata
	// field's).
	Kind Kind
	Op   Op
	// Value is the value of Eq, Lt, Le, Gt and Ge, the lower bound of a
	// range; High its upper bound. A bound of a range may be open (*).
	Value, High Value
	// LowIncl and HighIncl say whether a range includes its bounds.
	LowIncl, HighIncl bool
	// Words marks a : on a field that has words (WordField), or a term
	// without a field (Any): the value's words (Words) match words of the
	// field's values, the last one a word prefix when Value.Prefix; not
	// the whole value, as = (and : on other fields) does.
	Words bool
	// Pos is the offset of the field name (of the value, for Any).
	Pos int
}

// Value is a term's value, converted for its field's kind.
type Value struct {
	// Text is a text field's value (for a prefix, without the *).
	Text string
	// Prefix marks a prefix match (a word ending in *).
	Prefix bool
	// Num is a number field's value.
	Num float64
	// Time is a date field's value.
	Time time.Time
	// Open is a range's open bound (*).
	Open bool
}

func (And) node()  {}
func (Or) node()   {}
func (Not) node()  {}
func (Term) node() {}
