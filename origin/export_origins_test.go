package origin

import "time"

// ShortenFetchRefreshLease sets how long this origin holds the lease of a
// fetched copy's refresh (fetchRefreshLease).
func (s *Server) ShortenFetchRefreshLease(ttl time.Duration) { s.fetchLeaseTTL = ttl }
