package config

import "strings"

// placeholders are the secrets example files and tutorials ship, compared
// lower-cased with everything but letters and digits dropped.
var placeholders = []string{
	"changeme", "replaceme", "setme", "fixme", "todo", "placeholder", "example",
	"secret", "apisecret", "yoursecret", "yourapisecret", "mysecret",
	"password", "yourpassword", "token", "yourtoken", "xxx", "xxxx", "xxxxxxxx",
}

// Placeholder reports whether secret is a stand-in for a real one
// ("change-me", "<secret>", "xxx"), which only dev accepts.
func Placeholder(secret string) bool {
	s := strings.TrimSpace(secret)
	if strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">") {
		return true
	}
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	norm := b.String()
	for _, p := range placeholders {
		if norm == p {
			return true
		}
	}
	return false
}
