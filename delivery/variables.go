package delivery

import (
	"math"
	"strconv"
	"strings"
)

// Expressions, as Cloudinary's user-defined variables and arithmetic
// write them: operands joined by "_<operator>_" ("iw_div_2",
// "$w_mul_2_add_10"). An operand is a number (a ratio such as 3:4 counts
// as its quotient), a user variable ($name: a letter, then letters and
// digits), a predefined value (iw, ih, iar: the input's size; w, h, ar:
// the current image's; pc: the page count; fc: the face count), a string
// between "!" (variable values and comparisons only), or ctx:!key! (the
// asset's context value) and md:!key! (structured metadata). The
// operators are add, sub, mul, div, mod and pow; pow binds tightest, then
// mul, div and mod, then add and sub, each from left to right. The SDKs
// translate their symbol forms (+ - * / ^, and = != < > <= >= && || in
// conditions) into these words, so URLs carry the words only.

// Expression bounds: an expression has at most MaxExprOperands operands,
// a transformation defines at most MaxVariables variables, and a value
// that an expression gives is at most MaxExprValue in magnitude.
const (
	MaxExprOperands = 32
	MaxVariables    = 32
	MaxExprValue    = 1e9
)

// Expr is a parsed expression.
type Expr struct {
	operands []operand
	ops      []arithOp // ops[i] joins operands[i] and operands[i+1]
}

type operandKind uint8

const (
	opNumber operandKind = iota
	opString
	opVariable   // $name
	opPredefined // iw, w, pc...
	opContext    // ctx:!key!
	opMetadata   // md:!key!
)

type operand struct {
	kind operandKind
	num  float64
	text string // the string, variable name (with $), predefined name or key
}

type arithOp uint8

const (
	arithAdd arithOp = iota
	arithSub
	arithMul
	arithDiv
	arithMod
	arithPow
)

var arithNames = [...]string{arithAdd: "add", arithSub: "sub", arithMul: "mul", arithDiv: "div", arithMod: "mod", arithPow: "pow"}

func lookupArith(s string) (arithOp, bool) {
	for i, n := range arithNames {
		if s == n {
			return arithOp(i), true
		}
	}
	return 0, false
}

// predefinedNames are the predefined values an expression may read.
var predefinedNames = []string{"w", "h", "ar", "iw", "ih", "iar", "pc", "fc"}

// unavailablePredefined are Cloudinary's other predefined values, which
// answer 400 naming them: they need what this server does not compute.
var unavailablePredefined = []string{"cp", "ils", "px", "py", "du", "idu", "tar", "idn", "cw", "ch"}

func isPredefined(s string) bool {
	for _, n := range predefinedNames {
		if s == n {
			return true
		}
	}
	return false
}

// Value is what an expression gives: a number, or a string.
type Value struct {
	Num   float64
	Str   string
	IsStr bool
}

// Number reads v as a number: itself, or its string parsed as a decimal
// or a ratio.
func (v Value) Number() (float64, bool) {
	if !v.IsStr {
		return v.Num, true
	}
	return parseNumberText(v.Str)
}

// Text is v as a string: itself, or its number formatted as the URL
// grammar writes numbers.
func (v Value) Text() string {
	if v.IsStr {
		return v.Str
	}
	return FormatNumber(v.Num)
}

// FormatNumber writes a number as a transformation value: an integer
// without a decimal point, else with the fewest digits that read back.
func FormatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// parseNumberText reads a decimal or a ratio n:d.
func parseNumberText(s string) (float64, bool) {
	if n, d, ok := strings.Cut(s, ":"); ok {
		a, ok1 := parseDecimal(n)
		b, ok2 := parseDecimal(d)
		if !ok1 || !ok2 || b == 0 {
			return 0, false
		}
		return a / b, true
	}
	return parseDecimal(s)
}

// Env is what evaluating an expression reads: predefined values by name
// (Predefined answers the 400 for one it cannot give), user variables,
// and the asset's context and metadata.
type Env interface {
	Predefined(name string) (Value, error)
	Variable(name string) (Value, bool)
	Context(key string) string
	Tags() []string
}

// exprTokens splits s at "_" outside "!...!" strings; ok is false when a
// string is not closed or a token is empty.
func exprTokens(s string, dst []string) ([]string, bool) {
	for s != "" {
		i := 0
		for _, long := range exprLongVariables {
			if strings.HasPrefix(s, long) && (len(s) == len(long) || s[len(long)] == '_') {
				i = len(long)
				break
			}
		}
		for i < len(s) && s[i] != '_' {
			if s[i] == '!' {
				j := strings.IndexByte(s[i+1:], '!')
				if j < 0 {
					return nil, false
				}
				i += j + 1
			}
			i++
		}
		if i == 0 {
			return nil, false
		}
		dst = append(dst, s[:i])
		if i == len(s) {
			return dst, true
		}
		s = s[i+1:]
		if s == "" {
			return nil, false
		}
	}
	return dst, len(dst) > 0
}

// ParseExpr parses an expression written as a value (w_$w_mul_2). Strings
// are refused when strings is false.
func ParseExpr(s string, strings bool) (Expr, error) {
	toks, ok := exprTokens(s, nil)
	if !ok {
		return Expr{}, invalidExpr(s)
	}
	e, n, err := parseExprTokens(s, toks, strings)
	if err != nil {
		return Expr{}, err
	}
	if n != len(toks) {
		return Expr{}, invalidExpr(s)
	}
	return e, nil
}

// parseExprTokens parses the longest expression at the start of toks and
// reports how many tokens it used.
func parseExprTokens(whole string, toks []string, strs bool) (Expr, int, error) {
	var e Expr
	i := 0
	for {
		if i >= len(toks) {
			return Expr{}, 0, invalidExpr(whole)
		}
		o, err := parseOperand(whole, toks[i], strs)
		if err != nil {
			return Expr{}, 0, err
		}
		e.operands = append(e.operands, o)
		if len(e.operands) > MaxExprOperands {
			return Expr{}, 0, badRequest("Expression too long (more than %d operands): %s", MaxExprOperands, Echo(whole, EchoLimit))
		}
		i++
		if i >= len(toks) {
			break
		}
		op, ok := lookupArith(toks[i])
		if !ok {
			break
		}
		e.ops = append(e.ops, op)
		i++
	}
	if len(e.operands) > 1 {
		for _, o := range e.operands {
			if o.kind == opString || o.kind == opContext || o.kind == opMetadata {
				return Expr{}, 0, badRequest("Arithmetic on a string in expression %s", Echo(whole, EchoLimit))
			}
		}
	}
	return e, i, nil
}

// longNames are the predefined values' long spellings, as the SDKs write
// them.
var longNames = map[string]string{
	"initial_width": "iw", "initial_height": "ih", "initial_aspect_ratio": "iar", "aspect_ratio": "ar",
	"page_count": "pc", "face_count": "fc", "width": "w", "height": "h",
	"current_page": "cp", "initial_duration": "idu", "duration": "du",
}

func parseOperand(whole, tok string, strs bool) (operand, error) {
	if short, ok := longNames[tok]; ok {
		tok = short
	}
	switch {
	case tok[0] == '!':
		if !strs {
			return operand{}, badRequest("A string is not allowed here: %s", Echo(whole, EchoLimit))
		}
		if len(tok) < 2 || tok[len(tok)-1] != '!' {
			return operand{}, invalidExpr(whole)
		}
		return operand{kind: opString, text: tok[1 : len(tok)-1]}, nil
	case tok[0] == '$':
		if !isVariableName(tok) {
			return operand{}, badRequest("Invalid variable name %s", Echo(tok, EchoLimit))
		}
		return operand{kind: opVariable, text: tok}, nil
	case strings.HasPrefix(tok, "ctx:!"), strings.HasPrefix(tok, "md:!"):
		kind, key := opContext, tok[len("ctx:"):]
		if tok[0] == 'm' {
			kind, key = opMetadata, tok[len("md:"):]
		}
		if !strs {
			return operand{}, badRequest("A string is not allowed here: %s", Echo(whole, EchoLimit))
		}
		if len(key) < 3 || key[len(key)-1] != '!' {
			return operand{}, invalidExpr(whole)
		}
		return operand{kind: kind, text: key[1 : len(key)-1]}, nil
	case isPredefined(tok):
		return operand{kind: opPredefined, text: tok}, nil
	}
	for _, n := range unavailablePredefined {
		if tok == n {
			return operand{}, badRequest("Unsupported predefined value %s in expression %s", tok, Echo(whole, EchoLimit))
		}
	}
	if v, ok := parseNumberText(tok); ok {
		return operand{kind: opNumber, num: v}, nil
	}
	return operand{}, invalidExpr(whole)
}

// isVariableName: "$", a letter, then letters and digits.
func isVariableName(s string) bool {
	if len(s) < 2 || s[0] != '$' || !isAlpha(s[1]) {
		return false
	}
	for i := 2; i < len(s); i++ {
		if !isAlpha(s[i]) && !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func invalidExpr(s string) *Error {
	return badRequest("Invalid expression %s", Echo(s, EchoLimit))
}

// Eval evaluates e. A division or modulo by zero, a result that is not a
// finite number or beyond MaxExprValue, an undefined variable and a
// predefined value the Env cannot give are 400s naming the expression.
func (e Expr) Eval(env Env, text string) (Value, error) {
	if len(e.operands) == 1 {
		return e.operands[0].value(env, text)
	}
	nums := make([]float64, len(e.operands))
	for i, o := range e.operands {
		v, err := o.value(env, text)
		if err != nil {
			return Value{}, err
		}
		n, ok := v.Number()
		if !ok {
			return Value{}, badRequest("Arithmetic on a string in expression %s", Echo(text, EchoLimit))
		}
		nums[i] = n
	}
	// Three passes by precedence: pow, then mul/div/mod, then add/sub.
	ops := append([]arithOp(nil), e.ops...)
	for _, level := range [][]arithOp{{arithPow}, {arithMul, arithDiv, arithMod}, {arithAdd, arithSub}} {
		for i := 0; i < len(ops); {
			if !containsOp(level, ops[i]) {
				i++
				continue
			}
			r, err := apply(ops[i], nums[i], nums[i+1], text)
			if err != nil {
				return Value{}, err
			}
			nums[i] = r
			nums = append(nums[:i+1], nums[i+2:]...)
			ops = append(ops[:i], ops[i+1:]...)
		}
	}
	return checkedNumber(nums[0], text)
}

func containsOp(level []arithOp, op arithOp) bool {
	for _, o := range level {
		if o == op {
			return true
		}
	}
	return false
}

func apply(op arithOp, a, b float64, text string) (float64, error) {
	var r float64
	switch op {
	case arithAdd:
		r = a + b
	case arithSub:
		r = a - b
	case arithMul:
		r = a * b
	case arithDiv, arithMod:
		if b == 0 {
			return 0, badRequest("Division by zero in expression %s", Echo(text, EchoLimit))
		}
		if op == arithDiv {
			r = a / b
		} else {
			r = math.Mod(a, b)
		}
	case arithPow:
		r = math.Pow(a, b)
	}
	v, err := checkedNumber(r, text)
	return v.Num, err
}

func checkedNumber(f float64, text string) (Value, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > MaxExprValue {
		return Value{}, badRequest("Expression %s is out of range", Echo(text, EchoLimit))
	}
	return Value{Num: f}, nil
}

func (o operand) value(env Env, text string) (Value, error) {
	switch o.kind {
	case opNumber:
		return checkedNumber(o.num, text)
	case opString:
		return Value{Str: o.text, IsStr: true}, nil
	case opVariable:
		v, ok := env.Variable(o.text)
		if !ok {
			return Value{}, badRequest("Undefined variable %s in expression %s", o.text, Echo(text, EchoLimit))
		}
		return v, nil
	case opPredefined:
		return env.Predefined(o.text)
	case opContext:
		return Value{Str: env.Context(o.text), IsStr: true}, nil
	}
	return Value{}, badRequest("Structured metadata (md) is not supported: %s", Echo(text, EchoLimit))
}

// exprKeys are the keys whose values may be expressions: the numeric ones.
func exprKey(k Key) bool {
	switch k {
	case KeyWidth, KeyHeight, KeyAspectRatio, KeyX, KeyY, KeyZoom, KeyAngle, KeyOpacity, KeyRadius:
		return true
	}
	return false
}

// isExprValue reports whether v is written as an expression rather than
// a literal: it names a variable or a predefined value, or joins operands
// with an operator.
func isExprValue(v string) bool {
	if v == "" {
		return false
	}
	return v[0] == '$' || isPredefined(v) || strings.IndexByte(v, '_') >= 0
}

// Set parses one key_value token into the component, as the grammar
// would (the origin sets the values it evaluated from expressions).
func (c *Component) Set(tok string) error {
	if _, _, ok := splitToken(tok); !ok {
		return invalidComponent(tok)
	}
	return c.parseParam(tok)
}
