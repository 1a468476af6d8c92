package search

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxDepth bounds the nesting of parentheses and NOTs.
const maxDepth = 64

// maxLength bounds an expression's length in bytes.
const maxLength = 8192

// Parse parses and checks an expression; relative dates count back from
// now. An empty expression (or only spaces) is nil: it matches every
// asset.
//
// The grammar:
//
//	expr    = and { ("OR" | "||") and }
//	and     = unary { [ "AND" | "&&" ] unary }      (no operator: AND)
//	unary   = ( "NOT" | "!" | "-" ) unary | primary
//	primary = "(" expr ")" | field op value | value (free text; inside field:( ... ), that field's)
//	op      = ":" | "=" | "<" | "<=" | ">" | ">=" | ":" ( "<" | "<=" | ">" | ">=" )
//	value   = word | word* | "quoted" | range | "(" expr ")"
//	range   = ( "[" | "{" ) bound "TO" bound ( "]" | "}" )      (bound * is open)
//
// Parse knows no structured metadata field: see ParseWith.
func Parse(expr string, now time.Time) (Node, error) { return ParseWith(expr, now, nil) }

// ParseWith is Parse for a cloud whose structured metadata fields are md:
// metadata.<external_id> terms compare values of md's kinds.
func ParseWith(expr string, now time.Time, md MetadataKinds) (Node, error) {
	return parse(&parser{now: now, metadata: md}, expr)
}

// ParseFolders parses an expression of the Search Folders API: the same
// language over a folder's fields (name, path, external_id or id,
// created_at).
func ParseFolders(expr string, now time.Time) (Node, error) {
	return parse(&parser{now: now, folders: true}, expr)
}

// parse parses expr with p's fields.
func parse(p *parser, expr string) (Node, error) {
	if len(expr) > maxLength {
		return nil, errorf(maxLength, "the expression is longer than %d bytes", maxLength)
	}
	toks, err := lex(expr)
	if err != nil {
		return nil, err
	}
	p.toks = toks
	if p.peek().kind == tEOF {
		return nil, nil
	}
	n, err := p.expr(0, nil)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, errorf(t.pos, "unexpected %s", describe(t))
	}
	return n, nil
}

type parser struct {
	toks     []token
	i        int
	now      time.Time
	metadata MetadataKinds
	// folders: the fields are a folder's (ParseFolders).
	folders bool
}

// kind is how a field's values compare; key is a metadata field's
// external ID.
func (p *parser) kind(field Field, key string) Kind {
	if field == Metadata {
		if k := p.metadata[key]; k != TextWords {
			return k
		}
		return Text
	}
	if p.folders {
		return folderKinds[field]
	}
	return KindOf(field)
}

// scope is the field of a group field:( ... ): its bare values are
// compared with it.
type scope struct {
	field Field
	key   string
	op    string
	pos   int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of expression"
	case tWord:
		return "term " + strconv.Quote(t.text)
	case tQuoted:
		return "quoted term " + strconv.Quote(t.text)
	}
	return strconv.Quote(t.text)
}

func (p *parser) expr(depth int, sc *scope) (Node, error) {
	if depth > maxDepth {
		return nil, errorf(p.peek().pos, "the expression is nested too deeply")
	}
	var nodes []Node
	for {
		n, err := p.and(depth, sc)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
		if p.peek().kind != tOr {
			break
		}
		p.next()
	}
	if len(nodes) == 1 {
		return nodes[0], nil
	}
	return Or{Nodes: nodes}, nil
}

func (p *parser) and(depth int, sc *scope) (Node, error) {
	var nodes []Node
	for {
		n, err := p.unary(depth, sc)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
		switch p.peek().kind {
		case tAnd:
			p.next()
			continue
		case tWord, tQuoted, tLParen, tNot:
			continue // implicit AND
		}
		break
	}
	if len(nodes) == 1 {
		return nodes[0], nil
	}
	return And{Nodes: nodes}, nil
}

func (p *parser) unary(depth int, sc *scope) (Node, error) {
	if depth > maxDepth {
		return nil, errorf(p.peek().pos, "the expression is nested too deeply")
	}
	if p.peek().kind == tNot {
		p.next()
		n, err := p.unary(depth+1, sc)
		if err != nil {
			return nil, err
		}
		return Not{Node: n}, nil
	}
	return p.primary(depth, sc)
}

func (p *parser) primary(depth int, sc *scope) (Node, error) {
	t := p.peek()
	switch t.kind {
	case tLParen:
		p.next()
		n, err := p.expr(depth+1, sc)
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tRParen {
			return nil, errorf(c.pos, "expected ) to close the ( at %d, found %s", t.pos, describe(c))
		}
		return n, nil
	case tWord:
		if op := p.toks[p.i+1]; op.kind == tOp && op.glued {
			p.next()
			p.next()
			return p.fieldTerm(t, op, depth)
		}
		fallthrough
	case tQuoted:
		p.next()
		if sc == nil {
			if p.folders {
				return nil, errorf(t.pos, "%s has no field (search a field: field:value)", describe(t))
			}
			return p.freeText(t)
		}
		return p.term(sc.field, sc.key, sc.op, sc.pos, t)
	case tEOF:
		return nil, errorf(t.pos, "unexpected end of expression")
	}
	return nil, errorf(t.pos, "unexpected %s", describe(t))
}

// fieldTerm parses what follows field and its operator.
func (p *parser) fieldTerm(name, op token, depth int) (Node, error) {
	field, key, err := p.lookupField(name.text, name.pos)
	if err != nil {
		return nil, err
	}
	opText := op.text
	if opText == ":" {
		if o := p.peek(); o.kind == tOp && o.text != ":" && o.text != "=" {
			p.next()
			opText = o.text
		}
	}
	v := p.peek()
	switch v.kind {
	case tLParen:
		if opText != ":" && opText != "=" {
			return nil, errorf(v.pos, "a group of values needs : or =")
		}
		p.next()
		n, err := p.expr(depth+1, &scope{field: field, key: key, op: opText, pos: name.pos})
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tRParen {
			return nil, errorf(c.pos, "expected ) to close the ( at %d, found %s", v.pos, describe(c))
		}
		return n, nil
	case tLBracket, tLBrace:
		if opText != ":" && opText != "=" {
			return nil, errorf(v.pos, "a range needs : or =")
		}
		return p.rangeTerm(field, key, name.pos)
	case tWord, tQuoted:
		p.next()
		return p.term(field, key, opText, name.pos, v)
	}
	return nil, errorf(v.pos, "expected a value for %s, found %s", name.text, describe(v))
}

// term makes a comparison of field with the value token v.
func (p *parser) term(field Field, key, op string, pos int, v token) (Node, error) {
	kind := p.kind(field, key)
	t := Term{Field: field, Key: key, Kind: kind, Pos: pos}
	switch op {
	case ":", "=":
		t.Op = Eq
	case "<":
		t.Op = Lt
	case "<=":
		t.Op = Le
	case ">":
		t.Op = Gt
	case ">=":
		t.Op = Ge
	}
	if kind == Text && t.Op != Eq {
		return nil, errorf(pos, "%s compares only with : or = (not %s)", fieldName(field, key), op)
	}
	val, err := p.value(field, key, kind, v)
	if err != nil {
		return nil, err
	}
	t.Value = val
	if kind == Date && t.Op == Eq {
		return p.dateEq(t, v)
	}
	if op == ":" && p.hasWords(field, key) {
		return p.words(t, v)
	}
	return t, nil
}

// hasWords reports whether : on field (key: a metadata field's external
// ID) matches words: a field that has words (WordField), or a string
// metadata field (TextWords).
func (p *parser) hasWords(field Field, key string) bool {
	if p.folders {
		return false
	}
	if field == Metadata {
		return p.metadata[key] == TextWords
	}
	return WordField(field)
}

// words makes t (a : on a field that has words) match the value's words:
// a value without a word (letters or digits) keeps matching the whole
// value, as does a prefix that is more than one word ("my pics/*": the
// public IDs starting with it).
func (p *parser) words(t Term, v token) (Node, error) {
	w := Words(t.Value.Text)
	if len(w) == 0 || t.Value.Prefix && !IsWord(strings.ToLower(t.Value.Text)) {
		return t, nil
	}
	if len(w) > maxTermWords {
		return nil, errorf(v.pos, "%s has more than %d words", describe(v), maxTermWords)
	}
	if err := shortPrefix(t.Value, w, v); err != nil {
		return nil, err
	}
	t.Words = true
	return t, nil
}

// minWordPrefix is the fewest characters of a word prefix (a*): a
// shorter one is most of the index's words.
const minWordPrefix = 2

// shortPrefix refuses a value whose last word (w's) is a prefix shorter
// than minWordPrefix characters.
func shortPrefix(val Value, w []string, v token) error {
	if !val.Prefix || len(w) == 0 || utf8.RuneCountInString(w[len(w)-1]) >= minWordPrefix {
		return nil
	}
	return errorf(v.pos, "prefix %s is too short - a word prefix needs at least %d letters or digits before *", strconv.Quote(v.text+"*"), minWordPrefix)
}

// freeText is a term without a field: its words in any field that has
// words (the last one a prefix when it ends in *).
func (p *parser) freeText(v token) (Node, error) {
	val, err := p.value(Any, "", Text, v)
	if err != nil {
		return nil, err
	}
	w := Words(val.Text)
	switch {
	case len(w) == 0:
		return nil, errorf(v.pos, "%s has no word to search (letters or digits)", describe(v))
	case len(w) > maxTermWords:
		return nil, errorf(v.pos, "%s has more than %d words", describe(v), maxTermWords)
	}
	if err := shortPrefix(val, w, v); err != nil {
		return nil, err
	}
	return Term{Field: Any, Kind: Text, Op: Eq, Value: val, Words: true, Pos: v.pos}, nil
}

// dateEq is a date compared with : or =: the whole day of a date without
// a time, the instant of a date with one, the time since a relative date.
func (p *parser) dateEq(t Term, v token) (Node, error) {
	if _, ok := relative(v.text); ok {
		t.Op = Ge
		return t, nil
	}
	if _, err := time.Parse(time.DateOnly, v.text); err == nil {
		t.Op = InRange
		t.LowIncl = true
		t.High = Value{Time: t.Value.Time.AddDate(0, 0, 1)}
	}
	return t, nil
}

// rangeTerm parses [low TO high] (brackets include, braces exclude).
func (p *parser) rangeTerm(field Field, key string, pos int) (Node, error) {
	open := p.next()
	kind := p.kind(field, key)
	if kind == Text {
		return nil, errorf(open.pos, "%s takes no range", fieldName(field, key))
	}
	t := Term{Field: field, Key: key, Kind: kind, Op: InRange, Pos: pos, LowIncl: open.kind == tLBracket}
	bound := func() (Value, error) {
		b := p.next()
		if b.kind != tWord && b.kind != tQuoted {
			return Value{}, errorf(b.pos, "expected a bound of the range, found %s", describe(b))
		}
		if b.kind == tWord && b.prefix && b.text == "" {
			return Value{Open: true}, nil
		}
		return p.value(field, key, kind, b)
	}
	var err error
	if t.Value, err = bound(); err != nil {
		return nil, err
	}
	if to := p.next(); to.kind != tWord || to.text != "TO" || to.prefix {
		return nil, errorf(to.pos, "expected TO in the range, found %s", describe(to))
	}
	if t.High, err = bound(); err != nil {
		return nil, err
	}
	switch c := p.next(); c.kind {
	case tRBracket:
		t.HighIncl = true
	case tRBrace:
	default:
		return nil, errorf(c.pos, "expected ] or } to close the range, found %s", describe(c))
	}
	return t, nil
}

// value converts a value token for field, of kind.
func (p *parser) value(field Field, key string, kind Kind, v token) (Value, error) {
	name := fieldName(field, key)
	if v.kind == tWord && v.prefix && v.text == "" {
		return Value{}, errorf(v.pos, "a wildcard * needs a prefix before it")
	}
	switch kind {
	case Number:
		if v.prefix {
			return Value{}, errorf(v.pos, "%s takes no wildcard", name)
		}
		n, ok := number(field, v.text)
		if !ok {
			return Value{}, errorf(v.pos, "invalid number for %s: %s", name, strconv.Quote(v.text))
		}
		return Value{Num: n}, nil
	case Date:
		if v.prefix {
			return Value{}, errorf(v.pos, "%s takes no wildcard", name)
		}
		t, ok := p.date(v.text)
		if !ok {
			return Value{}, errorf(v.pos, "invalid date for %s: %s (a date such as 2024-05-31, a time such as 2024-05-31T10:00:00Z, or a relative one such as 1d, 2w, 3m, 1y)", name, strconv.Quote(v.text))
		}
		return Value{Time: t}, nil
	}
	return Value{Text: v.text, Prefix: v.prefix}, nil
}

// number reads a number: bytes may end in kb, mb or gb, or k, m or g as
// in Cloudinary's own example bytes>1m (powers of 1024),
// aspect_ratio may be a ratio w:h.
func number(field Field, s string) (float64, bool) {
	mul := 1.0
	if field == Bytes {
		l := strings.ToLower(s)
		for _, u := range []struct {
			suffix string
			mul    float64
		}{{"kb", 1 << 10}, {"mb", 1 << 20}, {"gb", 1 << 30}, {"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30},
			{"b", 1}} {
			if strings.HasSuffix(l, u.suffix) {
				s, mul = s[:len(s)-len(u.suffix)], u.mul
				break
			}
		}
	}
	if field == AspectRatio {
		if w, h, ok := strings.Cut(s, ":"); ok {
			a, err1 := strconv.ParseFloat(w, 64)
			b, err2 := strconv.ParseFloat(h, 64)
			if err1 != nil || err2 != nil || b == 0 || !finite(a) || !finite(b) {
				return 0, false
			}
			return a / b, true
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || !finite(n) || strings.ContainsAny(s, "xXpP_") {
		return 0, false
	}
	return n * mul, finite(n * mul)
}

func finite(f float64) bool { return !math.IsInf(f, 0) && !math.IsNaN(f) }

// date reads an absolute date (date, date and time, RFC 3339) or a
// relative one counted back from now: <n>s, h, d, w, m (months), y.
func (p *parser) date(s string) (time.Time, bool) {
	if f, ok := relative(s); ok {
		return f(p.now), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// relative reads a relative date: a count and a unit.
func relative(s string) (func(time.Time) time.Time, bool) {
	if len(s) < 2 {
		return nil, false
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n < 0 || n > 100000 {
		return nil, false
	}
	switch s[len(s)-1] {
	case 's':
		return func(t time.Time) time.Time { return t.Add(-time.Duration(n) * time.Second) }, true
	case 'h':
		return func(t time.Time) time.Time { return t.Add(-time.Duration(n) * time.Hour) }, true
	case 'd':
		return func(t time.Time) time.Time { return t.AddDate(0, 0, -n) }, true
	case 'w':
		return func(t time.Time) time.Time { return t.AddDate(0, 0, -7*n) }, true
	case 'm':
		return func(t time.Time) time.Time { return t.AddDate(0, -n, 0) }, true
	case 'y':
		return func(t time.Time) time.Time { return t.AddDate(-n, 0, 0) }, true
	}
	return nil, false
}

// fieldName is a field's name in an expression: context.<key> and
// metadata.<external_id> with their keys.
func fieldName(field Field, key string) string {
	if key != "" {
		return string(field) + "." + key
	}
	return string(field)
}
