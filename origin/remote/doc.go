// Package remote downloads files from remote http(s) URLs for the origin
// (uploads whose file is a URL, and fetch delivery URLs) and POSTs webhooks, refusing internal
// addresses (server-side request forgery): the check runs on the address
// actually dialled, so DNS tricks and redirects cannot get around it.
//
// It imports the standard library only and knows nothing of Cloudinary:
// a failure is an *Error saying why (Failure) and a short reason, which the
// origin words for its API or its delivery answers.
//
// Files, one concept each:
//
//	fetcher.go  Fetcher, New, Options, GetTo: the guarded client and one download
//	post.go     Post: one webhook POSTed through the same guarded client
//	addr.go     which dialled addresses are allowed (loopback, private and special ranges refused)
//	error.go    Error, Failure: why a download failed
package remote
