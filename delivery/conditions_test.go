package delivery

import (
	"errors"
	"strings"
	"testing"
)

// conditionCases are conditional and variable transformations as the
// SDKs write them, with their canonical form ("" when unchanged).
var conditionCases = []struct{ tx, canon string }{
	{"if_ar_lt_1.0/c_pad,h_500,w_500/if_end", ""},
	{"if_!sale!_in_tags/e_grayscale/if_else/e_sepia/if_end", ""},
	{"if_!sale:new!_nin_tags,e_negate", ""},
	{"$w_200/w_$w_mul_2", ""},
	{"w_iw_div_2,h_ih_mul_0.5", "h_ih_mul_0.5,w_iw_div_2"},
	{"if_w_gt_100_and_h_gt_100_or_ar_eq_3:4,w_50", ""},
	{"if_ctx:!productType!_eq_!shoes!/e_negate/if_end", ""},
	{"if_ctx:!sale!_eq_!!/e_negate/if_end", ""},
	{"$big_iw_mul_2_add_ih_mul_2,$name_!hello!/w_$big", ""},
	{"if_iw_lte_400/c_fill,h_120,w_240/if_else/c_fill,h_240,w_400", ""},
	{"if_w_gt_100,w_50/if_else,w_200/if_end", ""},
	{"w_100,w_$x", "w_$x"},
	{"w_$x,w_100", "w_100"},
	{"if_fc_gt_0/e_blur/if_end", ""},
	{"x_w_div_10,y_$y,a_$a,o_$o,z_$z,ar_$ar,r_$r,c_crop", "a_$a,ar_$ar,c_crop,o_$o,r_$r,x_w_div_10,y_$y,z_$z"},
	{"if_pc_gt_1/pg_2/if_end", ""},
	{"if_md:!sku!_eq_!a!/e_negate/if_end", ""},
	{"h_initial_height_mul_0.5,w_initial_width_div_2", ""},
	{"if_initial_aspect_ratio_lt_1/w_width_div_2/if_end", ""},
	// What the Node SDK (2.11) builds from the symbol forms: {if: "w > 100
	// && aspect_ratio < 1.0 || initial_width <= 400"}, {width: "iw / 2"},
	// {width: "$w * 2 + 10"}, {if: "page_count >= 2 && initial_height != 100"}.
	{"if_w_gt_100_and_ar_lt_1.0_or_iw_lte_400/c_scale,w_iw_div_2/if_else/w_$w_mul_2_add_10/if_end", ""},
	{"if_pc_gte_2_and_ih_ne_100/w_iw_pow_1_sub_5/if_end", ""},
	{"if_fc_gt_0,$foo_10,w_50", ""},
}

// conditionErrors answer 400 with these messages.
var conditionErrors = []struct{ tx, msg string }{
	{"if_end", "if_end without a condition before it"},
	{"if_else/w_100", "if_else without a condition before it"},
	{"if_w_gt_1/if_h_gt_1/w_1/if_end/if_end", "Nested conditions are not supported: if_h_gt_1"},
	{"if_w_gt_100,t_thumb", "A named transformation cannot share the component of its condition if_w_gt_100"},
	{"if_w_xx_100/w_1/if_end", "Invalid operator xx in condition w_xx_100"},
	{"if_w_gt/w_1/if_end", "Invalid condition w_gt"},
	{"if_w_gt_100_and/w_1/if_end", "Invalid condition w_gt_100_and"},
	{"if_w_gt_1_xor_h_gt_1/w_1/if_end", "Invalid condition w_gt_1_xor_h_gt_1"},
	{"w_$w_div", "Invalid expression $w_div"},
	{"$w_!a!_add_1", "Arithmetic on a string in expression !a!_add_1"},
	{"w_!a!", "Invalid width in transformation: !a!"},
	{"w_$w_add_!a!", "A string is not allowed here: $w_add_!a!"},
	{"if_!a!_in_ctx/w_1/if_end", "Invalid condition !a!_in_ctx: in and nin test a list of tags (!a:b!_in_tags)"},
	{"if_w_gt_1/w_1/if_end,w_2", "if_end must be alone in its component"},
	{"w_cp_div_2", "Unsupported predefined value cp in expression cp_div_2"},
	{"if_w_gt_1,if_h_gt_1,w_2", "Only one if_ per transformation component: if_h_gt_1"},
	{"w_$1x", "Invalid variable name $1x"},
	{"h_initial_height_mul_0.5,w_initial_width_div_cp", "Unsupported predefined value cp in expression initial_width_div_cp"},
	{"if_!unclosed_eq_1,w_1", "Invalid condition !unclosed_eq_1"},
	{"w_" + strings.Repeat("1_add_", MaxExprOperands) + "1", "Expression too long (more than 32 operands)"},
}

func TestConditionGrammar(t *testing.T) {
	t.Parallel()
	for _, c := range conditionCases {
		tr, err := ParseTransformation(c.tx)
		if err != nil {
			t.Errorf("%s: %v", c.tx, err)
			continue
		}
		want := c.canon
		if want == "" {
			want = c.tx
		}
		if got := tr.String(); got != want {
			t.Errorf("%s: canonical %q, want %q", c.tx, got, want)
		}
		if _, err := Parse("/demo/image/upload/" + c.tx + "/sample.jpg"); err != nil {
			t.Errorf("URL with %s: %v", c.tx, err)
		}
	}
	for _, c := range conditionErrors {
		_, err := ParseTransformation(c.tx)
		var e *Error
		if !errors.As(err, &e) || e.Status != 400 || !strings.HasPrefix(e.Message, c.msg) {
			t.Errorf("%s: %v, want 400 %q", c.tx, err, c.msg)
		}
	}
}

// testEnv is an asset of 800x600 with two tags and a context.
type testEnv struct {
	vars map[string]Value
}

func (e testEnv) Predefined(name string) (Value, error) {
	switch name {
	case "w", "iw":
		return Value{Num: 800}, nil
	case "h", "ih":
		return Value{Num: 600}, nil
	case "ar", "iar":
		return Value{Num: 800.0 / 600}, nil
	case "pc":
		return Value{Num: 1}, nil
	}
	return Value{}, badRequest("fc needs face detection")
}
func (e testEnv) Variable(n string) (Value, bool) { v, ok := e.vars[n]; return v, ok }
func (e testEnv) Context(k string) string {
	return map[string]string{"productType": "shoes", "n": "10"}[k]
}
func (e testEnv) Tags() []string { return []string{"sale", "new"} }

func TestExprEval(t *testing.T) {
	t.Parallel()
	env := testEnv{vars: map[string]Value{"$w": {Num: 200}, "$s": {Str: "shoes", IsStr: true}, "$z": {Num: 0}}}
	for _, c := range []struct {
		expr string
		want string
	}{
		{"iw_mul_2_add_ih_mul_2", "2800"}, // precedence: products first
		{"$w_mul_2", "400"},
		{"iw_div_3", "266.6666666666667"},
		{"2_pow_3_mul_2", "16"},
		{"10_mod_4_add_1", "3"},
		{"10_sub_4_sub_3", "3"}, // left to right
		{"3:4", "0.75"},
		{"ctx:!n!", "10"},
	} {
		e, err := ParseExpr(c.expr, true)
		if err != nil {
			t.Fatalf("%s: %v", c.expr, err)
		}
		v, err := e.Eval(env, c.expr)
		if err != nil || v.Text() != c.want {
			t.Errorf("%s = %q, %v; want %s", c.expr, v.Text(), err, c.want)
		}
	}
	for _, c := range []struct{ expr, msg string }{
		{"iw_div_0", "Division by zero in expression iw_div_0"},
		{"iw_mod_$z", "Division by zero in expression iw_mod_$z"},
		{"iw_pow_100", "Expression iw_pow_100 is out of range"},
		{"$nope_add_1", "Undefined variable $nope in expression $nope_add_1"},
		{"fc_add_1", "fc needs face detection"},
		{"md:!sku!", "Structured metadata (md) is not supported: md:!sku!"},
		{"$s_add_1", "Arithmetic on a string in expression $s_add_1"},
	} {
		e, err := ParseExpr(c.expr, true)
		if err == nil {
			_, err = e.Eval(env, c.expr)
		}
		var de *Error
		if !errors.As(err, &de) || de.Status != 400 || de.Message != c.msg {
			t.Errorf("%s: %v, want 400 %q", c.expr, err, c.msg)
		}
	}
}

func TestConditionEval(t *testing.T) {
	t.Parallel()
	env := testEnv{vars: map[string]Value{"$w": {Num: 200}}}
	for _, c := range []struct {
		cond string
		want bool
	}{
		{"ar_lt_1.0", false},
		{"ar_gt_1.0", true},
		{"ar_eq_4:3", true},
		{"ar_gte_4:3", true},
		{"ar_lt_4:3", false},
		{"w_ne_h", true},
		{"iw_lte_800", true},
		{"w_mul_2_gt_ih_mul_2", true},
		{"$w_eq_200", true},
		{"!sale!_in_tags", true},
		{"!sale:new!_in_tags", true},
		{"!sale:old!_in_tags", false},
		{"!sale:old!_nin_tags", true},
		{"!old!_nin_tags", true},
		{"!sale!_nin_tags", false},
		{"ctx:!productType!_eq_!shoes!", true},
		{"ctx:!productType!_ne_!shoes!", false},
		{"ctx:!missing!_eq_!!", true},
		{"ctx:!n!_gt_9", true},
		{"ctx:!productType!_gt_1", false},
		// and binds tighter than or: false and false or true.
		{"w_lt_1_and_h_lt_1_or_pc_eq_1", true},
		// true or false and false: true.
		{"w_gt_1_or_h_lt_1_and_pc_eq_2", true},
		{"w_lt_1_or_h_lt_1_and_pc_eq_1", false},
	} {
		cond, err := ParseCondition(c.cond)
		if err != nil {
			t.Fatalf("%s: %v", c.cond, err)
		}
		got, err := cond.Eval(env, c.cond)
		if err != nil || got != c.want {
			t.Errorf("%s = %v, %v; want %v", c.cond, got, err, c.want)
		}
	}
}

// Flow picks the components each branch runs.
func TestFlow(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		tx    string
		holds bool
		runs  string // the indexes of the components whose parameters apply
	}{
		{"w_1/if_w_gt_1/w_2/w_3/if_end/w_4", true, "0235"},
		{"w_1/if_w_gt_1/w_2/w_3/if_end/w_4", false, "05"},
		{"if_w_gt_1/w_1/if_else/w_3/if_end/w_5", true, "15"},
		{"if_w_gt_1/w_1/if_else/w_3/if_end/w_5", false, "35"},
		{"if_w_gt_1/w_1/if_else,w_2/w_3", false, "23"},
		{"if_w_gt_1,w_5/w_1", true, "01"},
		{"if_w_gt_1,w_5/w_1", false, "1"},
		{"if_w_gt_1,w_5/if_else/w_2/if_end/w_4", false, "24"},
		{"if_w_gt_1,w_5/if_else/w_2/if_end/w_4", true, "04"},
		{"if_w_gt_1/w_1", false, ""},
	} {
		tr, err := ParseTransformation(c.tx)
		if err != nil {
			t.Fatalf("%s: %v", c.tx, err)
		}
		var f Flow
		var runs []byte
		for i := range tr.Components {
			if _, ok, err := f.Enter(&tr.Components[i]); err != nil {
				t.Fatal(err)
			} else if ok {
				f.Decide(c.holds)
			}
			if f.Runs() {
				runs = append(runs, byte('0'+i))
			}
		}
		if string(runs) != c.runs {
			t.Errorf("%s (holds %v): components %q run, want %q", c.tx, c.holds, runs, c.runs)
		}
	}
}
