package delivery

import "testing"

func TestParseColorForms(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][3]uint8{
		"red": {255, 0, 0}, "rgb:00ff00": {0, 255, 0}, "2f4f4f": {0x2f, 0x4f, 0x4f}, "00F": {0, 0, 255},
	} {
		c, ok := ParseColor(in)
		if !ok || [3]uint8{c.R, c.G, c.B} != want || c.A != 0xff {
			t.Errorf("ParseColor(%q) = %+v, %v", in, c, ok)
		}
	}
	for _, in := range []string{"", "nocolour", "rgb:", "12345", "auto", "blurred"} {
		if c, ok := ParseColor(in); ok {
			t.Errorf("ParseColor(%q) = %+v, want failure", in, c)
		}
	}
}

func TestColorParam(t *testing.T) {
	t.Parallel()
	tr, err := ParseTransformation("co_rgb:0000ff,e_colorize:40/e_make_transparent/co_zzz,e_colorize")
	if err != nil {
		t.Fatal(err)
	}
	if c, ok, err := tr.Components[0].ColorParam(); !ok || err != nil || c.B != 255 || c.R != 0 {
		t.Errorf("co_rgb:0000ff: %+v %v %v", c, ok, err)
	}
	if _, ok, err := tr.Components[1].ColorParam(); ok || err != nil {
		t.Errorf("no co_: %v %v", ok, err)
	}
	if _, _, err := tr.Components[2].ColorParam(); err == nil || err.Error() != "Invalid color in transformation: zzz" {
		t.Errorf("co_zzz: %v", err)
	}
}
