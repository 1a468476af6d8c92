package search

import (
	"strings"
	"unicode/utf8"
)

// tokenKind is what a token is.
type tokenKind int

const (
	tEOF    tokenKind = iota
	tWord             // a bare term (escapes resolved); prefix when it ends in an unescaped *
	tQuoted           // a quoted phrase
	tOp               // : = < > <= >=
	tLParen
	tRParen
	tLBracket // [
	tRBracket // ]
	tLBrace   // {
	tRBrace   // }
	tAnd      // AND, &&
	tOr       // OR, ||
	tNot      // NOT, !, a leading -
)

// token is one token of an expression, with its position: the byte
// offset where it starts (0-based).
type token struct {
	kind   tokenKind
	text   string // words and quoted text unescaped; operators as written
	pos    int
	prefix bool // a word ending in an unescaped *
	// glued is true when nothing separates the token from the one before
	// (a field name and its operator, an operator and its value).
	glued bool
}

// special are the characters that end a bare word unless escaped.
const special = `()[]{}:=<>"\`

// lex splits an expression into tokens.
func lex(s string) ([]token, error) {
	var out []token
	i := 0
	lastEnd := -1
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			out = append(out, token{kind: tEOF, pos: len(s), glued: lastEnd == len(s)})
			return out, nil
		}
		start := i
		glued := start == lastEnd
		add := func(k tokenKind, text string, end int) {
			out = append(out, token{kind: k, text: text, pos: start, glued: glued})
			i = end
			lastEnd = end
		}
		c := s[i]
		switch {
		case c == '(':
			add(tLParen, "(", i+1)
		case c == ')':
			add(tRParen, ")", i+1)
		case c == '[':
			add(tLBracket, "[", i+1)
		case c == ']':
			add(tRBracket, "]", i+1)
		case c == '{':
			add(tLBrace, "{", i+1)
		case c == '}':
			add(tRBrace, "}", i+1)
		case c == ':' || c == '=':
			add(tOp, s[i:i+1], i+1)
		case c == '<' || c == '>':
			if i+1 < len(s) && s[i+1] == '=' {
				add(tOp, s[i:i+2], i+2)
			} else {
				add(tOp, s[i:i+1], i+1)
			}
		case c == '&' && strings.HasPrefix(s[i:], "&&"):
			add(tAnd, "&&", i+2)
		case c == '|' && strings.HasPrefix(s[i:], "||"):
			add(tOr, "||", i+2)
		case (c == '!' || c == '-') && !glued && i+1 < len(s) && !isSpace(s[i+1]):
			add(tNot, s[i:i+1], i+1)
		case c == '"':
			text, prefix, end, err := lexQuoted(s, i)
			if err != nil {
				return nil, err
			}
			add(tQuoted, text, end)
			out[len(out)-1].prefix = prefix
		default:
			text, prefix, end, err := lexWord(s, i)
			if err != nil {
				return nil, err
			}
			kind := tWord
			switch {
			case text == "AND" && !prefix && end-start == 3:
				kind = tAnd
			case text == "OR" && !prefix && end-start == 2:
				kind = tOr
			case text == "NOT" && !prefix && end-start == 3:
				kind = tNot
			}
			add(kind, text, end)
			out[len(out)-1].prefix = prefix
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// lexQuoted reads a quoted phrase starting at s[i] == '"': a backslash
// escapes the next character; an unescaped * is a wildcard, allowed only
// at the end (a prefix).
func lexQuoted(s string, i int) (string, bool, int, error) {
	var b strings.Builder
	prefix := false
	for j := i + 1; j < len(s); {
		if prefix && s[j] != '"' {
			return "", false, 0, errorf(j-1, "a wildcard * is only supported at the end of a term")
		}
		switch s[j] {
		case '"':
			return b.String(), prefix, j + 1, nil
		case '*':
			prefix = true
			j++
		case '\\':
			if j+1 >= len(s) {
				return "", false, 0, errorf(j, "a backslash ends the expression")
			}
			_, n := utf8.DecodeRuneInString(s[j+1:])
			b.WriteString(s[j+1 : j+1+n])
			j += 1 + n
		default:
			b.WriteByte(s[j])
			j++
		}
	}
	return "", false, 0, errorf(i, "unterminated quoted term")
}

// lexWord reads a bare term: up to a space or a special character; a
// backslash escapes the next character. A * is allowed only at its end
// (prefix search).
func lexWord(s string, i int) (string, bool, int, error) {
	var b strings.Builder
	j := i
	prefix := false
	for j < len(s) && !isSpace(s[j]) {
		c := s[j]
		if c == '\\' {
			if j+1 >= len(s) {
				return "", false, 0, errorf(j, "a backslash ends the expression")
			}
			_, n := utf8.DecodeRuneInString(s[j+1:])
			b.WriteString(s[j+1 : j+1+n])
			j += 1 + n
			continue
		}
		if strings.IndexByte(special, c) >= 0 {
			break
		}
		if c == '*' {
			if j+1 < len(s) && !isSpace(s[j+1]) && strings.IndexByte(special, s[j+1]) < 0 {
				return "", false, 0, errorf(j, "a wildcard * is only supported at the end of a term")
			}
			prefix = true
			j++
			break
		}
		if c == '?' || c == '~' || c == '^' {
			return "", false, 0, errorf(j, "unsupported character %q (escape it with a backslash)", string(c))
		}
		b.WriteByte(c)
		j++
	}
	if j == i {
		return "", false, 0, errorf(j, "unexpected character %q", string(s[i]))
	}
	return b.String(), prefix, j, nil
}
