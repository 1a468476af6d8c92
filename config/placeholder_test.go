package config

import "testing"

func TestPlaceholder(t *testing.T) {
	for _, s := range []string{"change-me", "CHANGE_ME", "changeme", " replace-me ", "<your api secret>", "xxx", "secret", "TODO", "password"} {
		if !Placeholder(s) {
			t.Errorf("%q is a placeholder", s)
		}
	}
	for _, s := range []string{"demo_secret", "a-real-secret", "s3cr3t", "kx8Hq2ZpL0", "change-me-now-7Fq"} {
		if Placeholder(s) {
			t.Errorf("%q is not a placeholder", s)
		}
	}
}
