package bench

import "fmt"

// Number formats for report tables.
func f0(v float64) string  { return fmt.Sprintf("%.0f", v) }
func f1(v float64) string  { return fmt.Sprintf("%.1f", v) }
func f2(v float64) string  { return fmt.Sprintf("%.2f", v) }
func pct(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) }

// x formats a ratio.
func x(v float64) string { return fmt.Sprintf("%.2f×", v) }

// orNA formats v with f, or "n/a" when v is not positive (not measured).
func orNA(v float64, f func(float64) string) string {
	if v <= 0 {
		return "n/a"
	}
	return f(v)
}
