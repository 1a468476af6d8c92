// Package api is the plumbing of the origin's HTTP APIs (the Upload API,
// the Admin API, /invalidations): a request's parameters read from its
// query and body as they stream, the file parameter spooled to disk, the
// refusal of Cloudinary parameters the server does not implement,
// authentication, Cloudinary's error answer, the Admin API's rate limit,
// and the checks of public IDs, tags, context and access modes. It knows
// nothing of the origin's server, storage or images: it imports config
// and delivery only (deps_test.go), and its failures are *delivery.Error.
//
// Files:
//
//	params.go         Params: a request's parameters, typed getters, the string to sign; ReadParams, ReadUpload
//	params_body.go    bodyReader: query, multipart and the file part, bounded as they stream
//	params_form.go    urlencoded bodies
//	params_json.go    JSON bodies
//	file.go           Spool and File: an upload's file on disk (an unlinked temporary file), never in memory
//	paramspec.go      MethodParams: implemented and refused Cloudinary parameters (400 naming one)
//	auth.go           signatures, Basic and Bearer authentication; the response signature
//	errors.go         BadRequest, NotFound, Clip; WriteError, WriteJSON: {"error":{"message":"..."}}
//	statuswriter.go   StatusWriter: the status a handler wrote, for metrics and logs
//	recorder.go       Recorder: the answer of an API call served in process (jobs, the console)
//	cursor.go         Cursor: next_cursor encoded and decoded
//	ratelimit.go      RateLimiter: the Admin API's hourly limit (X-FeatureRateLimit-*, 420) over a Counter
//	publicid.go       public ID and folder checks, random IDs, a file name's stem
//	tags.go           tag checks, adding and removing tags
//	context.go        the context parameter (k=v|k2=v2) parsed and escaped
//	accessmode.go     access_mode (public, authenticated)
package api
