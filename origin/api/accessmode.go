package api

// An asset's access mode is public (the default) or authenticated: then it
// is delivered, original and derived alike, only through signed URLs, as if
// its type were authenticated, while its URLs keep their type. Upload and
// explicit set it (access_mode), the Admin API's update sets it for one
// asset and update_access_mode for many (origin/admin_access.go). Switching an
// asset to authenticated purges its URLs from the edges: the call's event
// says Restricted, and the Purger publishes a rule in restrictedMode, for
// the unsigned URLs cached there stop being public. Every call that sets an
// existing asset's mode to authenticated does so, also when the asset
// already was: a call retried after its purge failed to publish still
// purges.

// ParseAccessMode reads access_mode: "" when absent or empty.
func ParseAccessMode(p *Params) (string, error) {
	switch m := p.Get("access_mode"); m {
	case "", "public", "authenticated": // meta.AccessPublic, meta.AccessAuthenticated
		return m, nil
	default:
		return "", BadRequest("Invalid access_mode - %s (must be public or authenticated)", Clip(m))
	}
}
