package origin

// RegexCompiles is how many strregex patterns the origin's cache has
// compiled (metadata_regexps.go).
func (s *Server) RegexCompiles() int64 { return s.regexps.compiled() }
