package config

import "testing"

func TestParseSize(t *testing.T) {
	for in, want := range map[string]Size{
		"0": 0, "1048576": MiB, "512MiB": 512 * MiB, "20MB": 20_000_000, "4GiB": 4 * GiB,
		"1 KiB": KiB, "10B": 10,
	} {
		got, err := ParseSize(in)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "-1", "12XB", "MiB", "1.5GiB", "99999999999GiB"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
	if s := (512 * MiB).String(); s != "512MiB" {
		t.Errorf("String() = %q", s)
	}
}
