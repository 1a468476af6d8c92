// Package delivery is the grammar that edges and origins share: Cloudinary
// delivery URLs and their transformation strings, URL signatures, the cache
// key and the URL's class for purge matching, and the HTTP policy both
// answer with (private-CDN host matching, Vary and the DPR client hint,
// CORS preflights).
//
// ResourceType and DeliveryType are stored in SQL as their names
// (sqlvalue.go), so that a store holds them typed.
//
// It imports the standard library only. Parsing a typical URL allocates
// nothing: every string in a parsed URL is a substring of the input, so a
// caller that parses a request buffer must copy what it keeps after the
// request ends.
//
// The grammar, as the official SDKs build it:
//
//	/<cloud>/<resource_type>/<type>[/s--SIG--][/<transformation>]*[/v<version>]/<public_id>[.<ext>]
//	/<cloud>/images/[...]/<public_id>/<suffix>.<ext>   (SEO suffix forms: images, private_images,
//	                                                    authenticated_images, videos, files)
//	/<cloud>/iu/[...]/<public_id>.<ext>                (shorten: image/upload)
//	/<cloud>/[...]/<public_id>.<ext>                   (use_root_path: image/upload)
//
// A private-CDN host stands for the cloud and drops the /<cloud> segment
// (ParseHost), or keeps it (CloudPrefixed), for the same object. Query parameters (the SDKs' analytics ?_a=...) never change
// routing, signatures or the cache key.
package delivery
