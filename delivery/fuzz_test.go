package delivery

import (
	"errors"
	"reflect"
	"sort"
	"testing"
)

// FuzzParse checks that no input panics, that every failure is an *Error
// with a sane status, and that parse → format → parse round-trips.
func FuzzParse(f *testing.F) {
	for _, c := range urlCases {
		if c.host == "" {
			f.Add(c.uri)
		}
	}
	for _, c := range errorCases {
		if len(c.uri) < 1024 {
			f.Add(c.uri)
		}
	}
	f.Fuzz(func(t *testing.T, uri string) {
		u, err := Parse(uri)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || (e.Status != 400 && e.Status != 414) || e.Message == "" {
				t.Fatalf("Parse(%q): bad error %v", uri, err)
			}
			for i := 0; i < len(e.Message); i++ {
				if c := e.Message[i]; c < 0x20 || c == 0x7f {
					t.Fatalf("Parse(%q): control byte in message %q", uri, e.Message)
				}
			}
			return
		}
		checkRoundTrip(t, &u)
		if _, err := ParseTransformation(u.Transformation); err != nil {
			t.Fatalf("URL %q accepted, its transformation %q not: %v", uri, u.Transformation, err)
		}
	})
}

// FuzzTransformation checks that the canonical form of any accepted
// transformation reads back as the same typed value.
func FuzzTransformation(f *testing.F) {
	for _, c := range typedCases {
		f.Add(c.tx)
	}
	for _, c := range urlCases {
		if c.tx != "" {
			f.Add(c.tx)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		tr, err := ParseTransformation(s)
		if err != nil {
			return
		}
		canon := tr.String()
		again, err := ParseTransformation(canon)
		if err != nil {
			t.Fatalf("%q: canonical %q does not parse: %v", s, canon, err)
		}
		if !reflect.DeepEqual(normalized(again), normalized(tr)) {
			t.Fatalf("%q: canonical %q reads back as\n%+v\nwant\n%+v", s, canon, again, tr)
		}
		if c2 := again.String(); c2 != canon {
			t.Fatalf("%q: canonical form not idempotent: %q then %q", s, canon, c2)
		}
	})
}

// normalized puts each component's verbatim parameters in canonical order
// (if, variables, then by key), the only order the canonical form keeps.
func normalized(t Transformation) Transformation {
	rank := func(p Param) int {
		switch p.Key {
		case KeyIf:
			return 0
		case KeyVariable:
			return 1
		}
		return 2 + int(p.Key)
	}
	out := Transformation{Components: make([]Component, len(t.Components))}
	for i, c := range t.Components {
		c.Other = append([]Param(nil), c.Other...)
		sort.SliceStable(c.Other, func(a, b int) bool { return rank(c.Other[a]) < rank(c.Other[b]) })
		out.Components[i] = c
	}
	return out
}
