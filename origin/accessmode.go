package origin

import "github.com/mediacdn/mediacdn/origin/meta"

// An asset's access mode is public (the default) or authenticated: then it
// is delivered, original and derived alike, only through signed URLs, as if
// its type were authenticated, while its URLs keep their type. Upload and
// explicit set it (access_mode), the Admin API's update sets it for one
// asset and update_access_mode for many (adminaccess.go). Switching an
// asset to authenticated purges its URLs from the edges (restrictRule):
// the unsigned ones cached there stop being public.

// parseAccessMode reads access_mode: "" when absent or empty.
func parseAccessMode(p *Params) (string, error) {
	switch m := p.Get("access_mode"); m {
	case "", meta.AccessPublic, meta.AccessAuthenticated:
		return m, nil
	default:
		return "", badRequest("Invalid access_mode - %s (must be public or authenticated)", clip(m))
	}
}

// restricts reports whether a change of access mode from was to now makes
// an asset's unsigned URLs stop being public.
func restricts(was, now string) bool {
	return now == meta.AccessAuthenticated && was != meta.AccessAuthenticated
}
