package origin

// UploadMethodParams exposes an Upload API method's parameter policy
// (paramspec_upload.go) to the tests of package origin_test.
func UploadMethodParams(action string) (implemented, refused []string, ok bool) {
	m, ok := uploadMethodParams(action)
	return m.implemented, m.refused, ok
}
