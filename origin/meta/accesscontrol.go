package meta

// AccessRule is one entry of an asset's access_control (the Upload API's
// and the Admin API's): AccessToken (a valid token delivers the asset at
// any time) or AccessAnonymous (anyone may have it between Start and End).
// Outside every anonymous window only a token or a signed URL delivers
// an asset that has rules (origin/deliver_access.go).
type AccessRule struct {
	AccessType string `json:"access_type"`
	// Start and End bound an anonymous window, [Start, End), in Unix
	// seconds; zero is an open end.
	Start int64 `json:"start,omitempty"`
	End   int64 `json:"end,omitempty"`
}

// Access types of AccessRule.
const (
	AccessToken     = "token"
	AccessAnonymous = "anonymous"
)

// accessControlSchema is the columns of both engines' migrations (SQLite
// 12, PostgreSQL 6): the rules as JSON, "[]" for none, of an asset and of
// a backed-up version (which a restore of a deleted asset gives back).
const accessControlSchema = `ALTER TABLE assets ADD COLUMN access_control TEXT NOT NULL DEFAULT '[]';
	ALTER TABLE backups ADD COLUMN access_control TEXT NOT NULL DEFAULT '[]';`

// accessControlText is the column's value.
func accessControlText(rules []AccessRule) string {
	if rules == nil {
		rules = []AccessRule{}
	}
	return jsonText(rules)
}
