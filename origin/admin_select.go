package origin

import (
	"strings"

	"github.com/mediacdn/mediacdn/origin/api"
)

// selector is one way a bulk Admin API call selects its assets: the
// parameter's name and whether the call gave it.
type selector struct {
	name  string
	given bool
}

// exactlyOne checks that a bulk call selects its assets in exactly one of
// the ways it takes (at least two): none is "Missing required parameter -
// public_ids, prefix or all", more than one "Give only one of public_ids,
// prefix and all".
func exactlyOne(ways ...selector) error {
	names := make([]string, len(ways))
	given := 0
	for i, w := range ways {
		names[i] = w.name
		if w.given {
			given++
		}
	}
	head, last := strings.Join(names[:len(names)-1], ", "), names[len(names)-1]
	switch {
	case given == 0:
		return api.BadRequest("Missing required parameter - %s or %s", head, last)
	case given > 1:
		return api.BadRequest("Give only one of %s and %s", head, last)
	}
	return nil
}
