package delivery

import (
	"math"
	"strings"
)

// Conditional transformations, as Cloudinary writes them:
//
//	if_<cond>/<components>/if_end              the components apply when cond holds
//	if_<cond>/<components>/if_else/<components>/if_end
//	if_<cond>,<params>[/if_else/...]           one component, no if_end
//
// A condition compares two expressions (variables.go) with eq, ne, lt,
// gt, lte or gte, or tests tags: !a:b!_in_tags holds when the asset has
// every listed tag, _nin_tags when it lacks one. Comparisons join with
// _and_ and _or_, and binding tighter than or. if_else ends the
// condition's components (as if_end would) and starts the others, which
// run to if_end or to the end of the transformation. Conditions do not
// nest, a named transformation (t_) cannot share its condition's
// component, and if_end stands alone in its component.

// Condition is a parsed if_ value.
type Condition struct {
	any [][]comparison // holds when every comparison of one group holds
}

type comparison struct {
	l, r Expr
	op   cmpOp
	tags bool // in/nin against the asset's tags
}

type cmpOp uint8

const (
	cmpEq cmpOp = iota
	cmpNe
	cmpLt
	cmpGt
	cmpLte
	cmpGte
	cmpIn
	cmpNin
)

var cmpNames = [...]string{cmpEq: "eq", cmpNe: "ne", cmpLt: "lt", cmpGt: "gt", cmpLte: "lte", cmpGte: "gte",
	cmpIn: "in", cmpNin: "nin"}

func lookupCmp(s string) (cmpOp, bool) {
	for i, n := range cmpNames {
		if s == n {
			return cmpOp(i), true
		}
	}
	return 0, false
}

// ParseCondition parses an if_ value other than else and end.
func ParseCondition(s string) (Condition, error) {
	toks, ok := exprTokens(s, nil)
	if !ok {
		return Condition{}, invalidCondition(s)
	}
	var c Condition
	group := []comparison(nil)
	for {
		l, n, err := parseExprTokens(s, toks, true)
		if err != nil {
			return Condition{}, err
		}
		toks = toks[n:]
		if len(toks) < 2 {
			return Condition{}, invalidCondition(s)
		}
		op, ok := lookupCmp(toks[0])
		if !ok {
			return Condition{}, badRequest("Invalid operator %s in condition %s", Echo(toks[0], EchoLimit), Echo(s, EchoLimit))
		}
		cmp := comparison{l: l, op: op}
		if op == cmpIn || op == cmpNin {
			if toks[1] != "tags" || len(l.operands) != 1 || l.operands[0].kind == opNumber {
				return Condition{}, badRequest("Invalid condition %s: in and nin test a list of tags (!a:b!_in_tags)", Echo(s, EchoLimit))
			}
			cmp.tags = true
			toks = toks[2:]
		} else {
			r, n, err := parseExprTokens(s, toks[1:], true)
			if err != nil {
				return Condition{}, err
			}
			cmp.r = r
			toks = toks[1+n:]
		}
		group = append(group, cmp)
		if len(toks) == 0 {
			c.any = append(c.any, group)
			return c, nil
		}
		switch toks[0] {
		case "and":
		case "or":
			c.any = append(c.any, group)
			group = nil
		default:
			return Condition{}, invalidCondition(s)
		}
		toks = toks[1:]
		if len(toks) == 0 {
			return Condition{}, invalidCondition(s)
		}
	}
}

func invalidCondition(s string) *Error {
	return badRequest("Invalid condition %s", Echo(s, EchoLimit))
}

// Eval evaluates the condition; text is its written form, for messages.
func (c Condition) Eval(env Env, text string) (bool, error) {
	for _, group := range c.any {
		all := true
		for _, cmp := range group {
			ok, err := cmp.eval(env, text)
			if err != nil {
				return false, err
			}
			if !ok {
				all = false
				break
			}
		}
		if all {
			return true, nil
		}
	}
	return false, nil
}

func (cmp comparison) eval(env Env, text string) (bool, error) {
	l, err := cmp.l.Eval(env, text)
	if err != nil {
		return false, err
	}
	if cmp.tags {
		has := true
		for _, want := range strings.Split(l.Text(), ":") {
			if !containsTag(env.Tags(), want) {
				has = false
				break
			}
		}
		return has == (cmp.op == cmpIn), nil
	}
	r, err := cmp.r.Eval(env, text)
	if err != nil {
		return false, err
	}
	a, okA := l.Number()
	b, okB := r.Number()
	if !okA || !okB {
		// Strings compare as strings, and only for equality.
		switch cmp.op {
		case cmpEq:
			return l.Text() == r.Text(), nil
		case cmpNe:
			return l.Text() != r.Text(), nil
		}
		return false, nil
	}
	eq := math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
	switch cmp.op {
	case cmpEq:
		return eq, nil
	case cmpNe:
		return !eq, nil
	case cmpLt:
		return a < b && !eq, nil
	case cmpGt:
		return a > b && !eq, nil
	case cmpLte:
		return a < b || eq, nil
	}
	return a > b || eq, nil // gte
}

func containsTag(tags []string, t string) bool {
	for _, x := range tags {
		if x == t {
			return true
		}
	}
	return false
}

// Control is a component's part in a conditional transformation.
type Control uint8

const (
	ControlNone Control = iota // no if_
	ControlIf                  // if_<cond>
	ControlElse                // if_else
	ControlEnd                 // if_end
)

// Control is the component's if_ parameter: its kind and, for ControlIf,
// the condition as written.
func (c *Component) Control() (Control, string) {
	for _, p := range c.Other {
		if p.Key == KeyIf {
			switch p.Value {
			case "else":
				return ControlElse, ""
			case "end":
				return ControlEnd, ""
			}
			return ControlIf, p.Value
		}
	}
	return ControlNone, ""
}

// hasParams reports whether the component sets anything besides if_.
func (c *Component) hasParams() bool {
	return c.set&^(1<<KeyIf) != 0 || len(c.Exprs) > 0
}

type flowMode uint8

const (
	flowNone   flowMode = iota
	flowIf              // in the components of a true or false condition
	flowElse            // in the components after if_else
	flowSingle          // just after a one-component condition
)

// Flow walks a transformation's conditions component by component:
// Enter each component in order; when it reports a condition, Decide it;
// then Runs tells whether the component's own parameters apply.
type Flow struct {
	mode   flowMode
	taken  bool // the current condition held
	single bool // the condition Enter met shares its component with parameters
	run    bool
}

// Enter reads the next component's control. It answers the condition to
// decide (ok) or a 400 for a misplaced if_.
func (f *Flow) Enter(c *Component) (cond string, ok bool, err error) {
	ctl, cond := c.Control()
	switch ctl {
	case ControlNone:
		if f.mode == flowSingle {
			f.mode = flowNone
		}
		f.run = f.mode == flowNone || f.mode == flowIf && f.taken || f.mode == flowElse && !f.taken
	case ControlIf:
		if f.mode == flowIf || f.mode == flowElse {
			return "", false, badRequest("Nested conditions are not supported: if_%s", Echo(cond, EchoLimit))
		}
		f.single = c.hasParams()
		if f.single && c.Has(KeyNamed) {
			return "", false, badRequest("A named transformation cannot share the component of its condition if_%s: put it between if_%s and if_end",
				Echo(cond, EchoLimit), Echo(cond, EchoLimit))
		}
		return cond, true, nil
	case ControlElse:
		if f.mode != flowIf && f.mode != flowSingle {
			return "", false, badRequest("if_else without a condition before it")
		}
		f.mode = flowElse
		f.run = !f.taken && c.hasParams()
	case ControlEnd:
		if c.hasParams() {
			return "", false, badRequest("if_end must be alone in its component")
		}
		if f.mode != flowIf && f.mode != flowElse {
			return "", false, badRequest("if_end without a condition before it")
		}
		f.mode, f.run = flowNone, false
	}
	return "", false, nil
}

// Decide records whether the condition Enter reported holds.
func (f *Flow) Decide(holds bool) {
	f.taken = holds
	if f.single {
		f.mode, f.run = flowSingle, holds
		return
	}
	f.mode, f.run = flowIf, false
}

// Runs reports whether the component last entered applies its parameters.
func (f *Flow) Runs() bool { return f.run }

// Conditional reports whether the component last entered belongs to a
// condition (its own, or a branch).
func (f *Flow) Conditional() bool { return f.mode != flowNone }

// check checks a transformation's conditions are well placed (each
// condition decided false: only the structure counts).
func (f *Flow) check(c *Component) error {
	if _, ok, err := f.Enter(c); err != nil {
		return err
	} else if ok {
		f.Decide(false)
	}
	return nil
}

// checkControl checks an if_ or $variable value as it is parsed: if_ once
// a component, a condition or else or end; a variable's value an
// expression (strings allowed), at most MaxVariables in a component.
func checkControl(c *Component, k Key, v string) error {
	switch k {
	case KeyIf:
		if c.Has(KeyIf) {
			return badRequest("Only one if_ per transformation component: if_%s", Echo(v, EchoLimit))
		}
		if v == "else" || v == "end" {
			return nil
		}
		_, err := ParseCondition(v)
		return err
	case KeyVariable:
		n := 0
		for _, p := range c.Other {
			if p.Key == KeyVariable {
				n++
			}
		}
		if n >= MaxVariables {
			return badRequest("Too many variables - the limit is %d", MaxVariables)
		}
		_, err := ParseExpr(v, true)
		return err
	}
	return nil
}
