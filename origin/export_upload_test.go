package origin

import "context"

// UploadMethodParams exposes an Upload API method's parameter policy
// (upload_paramspec.go) to the tests of package origin_test.
func UploadMethodParams(action string) (implemented, refused []string, ok bool) {
	e, ok := (&call{}).uploadRoute(action)
	return e.params.Implemented, e.params.Refused, ok
}

// ChunkUploads reports how many chunked uploads of cloud are in progress
// and how many of the uploads named are remembered as refused
// (upload_chunked.go).
func (s *Server) ChunkUploads(cloud string, ids ...string) (inProgress, refused int) {
	ctx := context.Background()
	inProgress, err := s.meta.ChunkUploads(ctx, cloud)
	if err != nil {
		panic(err)
	}
	for _, id := range ids {
		if _, err := s.meta.ChunkRefusal(ctx, cloud, id, s.now()); err == nil {
			refused++
		}
	}
	return inProgress, refused
}

// LimitChunkUploads lowers the number of chunked uploads that may be in
// progress at once (maxChunkUploads).
func (s *Server) LimitChunkUploads(n int) {
	s.chunks.mu.Lock()
	defer s.chunks.mu.Unlock()
	s.chunks.limit = n
}

// UploadsInProgress is how many Upload API requests hold a slot
// (upload_slots.go).
func (s *Server) UploadsInProgress() int { return s.uploads.inProgress() }
