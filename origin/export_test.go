package origin

import (
	"net/http/httptest"
	"strings"
)

// AdminParams returns the Cloudinary parameters an Admin API method
// implements and refuses, for a method and a path after /v1_1/<cloud>/
// (paramspec_admin_test.go checks them against the SDKs').
func AdminParams(method, path string) (implemented, refused []string, err error) {
	c := &call{r: httptest.NewRequest(method, "/", nil), w: httptest.NewRecorder()}
	top, tail, _ := strings.Cut(path, "/")
	e, err := c.adminRoute(top, tail)
	return e.params.implemented, e.params.refused, err
}
