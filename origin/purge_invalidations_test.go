package origin_test

import (
	"net/http"
	"strings"
	"testing"
)

// An invalidation's body is a few short fields: a large one is refused
// whoever sends it, before it is read whole or its credentials checked.
func TestInvalidationBodyBounded(t *testing.T) {
	o := startOrigin(t, nil)
	body := "public_id=x&pad=" + strings.Repeat("a", 200<<10)
	for _, auth := range []bool{false, true} {
		status, resp := post(t, o.URL+"/v1_1/demo/invalidations", "application/x-www-form-urlencoded",
			strings.NewReader(body), auth)
		if status != http.StatusBadRequest || errorMessage(t, resp) != "Request parameters are too large" {
			t.Fatalf("large invalidation body (auth %v): %d %s", auth, status, resp)
		}
	}
}
