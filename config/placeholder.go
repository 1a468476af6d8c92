package config

import "strings"

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
	return placeholder(b.String())
}

// placeholder reports whether norm, a secret lower-cased with everything
// but letters and digits dropped, is one that example files and tutorials
// ship.
func placeholder(norm string) bool {
	switch norm {
	case "changeme", "replaceme", "setme", "fixme", "todo", "placeholder", "example",
		"secret", "apisecret", "yoursecret", "yourapisecret", "mysecret",
		"password", "yourpassword", "token", "yourtoken", "xxx", "xxxx", "xxxxxxxx":
		return true
	}
	return false
}
