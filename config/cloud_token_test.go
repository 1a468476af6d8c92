package config

import (
	"strings"
	"testing"
)

// auth_token_key is hex, as the SDKs take it; a bad one names the field.
// The environment overrides it.
func TestAuthTokenKey(t *testing.T) {
	for key, ok := range map[string]bool{"": true, "00112233FF99": true, "a1b2c3": true, "abc": false, "zz": false} {
		cl := Clouds{"demo": {APIKey: "k", APISecret: "s", AuthTokenKey: key}}
		err := cl.Validate(true)
		if ok != (err == nil) || err != nil && !strings.Contains(err.Error(), "clouds.demo.auth_token_key") {
			t.Errorf("%q: %v", key, err)
		}
	}
	t.Setenv("MEDIACDN_CLOUDS_MY_SHOP_AUTH_TOKEN_KEY", "beef")
	cl := Clouds{"my-shop": {AuthTokenKey: "in-file"}}
	cl.ApplyEnv()
	if cl["my-shop"].AuthTokenKey != "beef" {
		t.Fatalf("env: %+v", cl)
	}
}
