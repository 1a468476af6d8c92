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
//	/<cloud>/search/<signature>/<ttl>/<query>[/<cursor>] (a search URL: the Search API's to_url)
//
// A private-CDN host stands for the cloud and drops the /<cloud> segment
// (ParseHost), or keeps it (CloudPrefixed), for the same object. Query
// parameters (the SDKs' analytics ?_a=...) never change routing,
// signatures or the cache key.
//
// The edge–origin contract lives here, so that both sides read it from one
// place: a varying URL's Variant (the format token f_auto and q_auto
// negotiate from Accept, the DPR dpr_auto reads from the client hints, the
// width w_auto reads from them, rounded), its
// one text form and its place in the cache key, the header it travels to
// the origin in (HeaderVariant: an origin makes the variant it names, and
// negotiates from Accept and the client hints itself without it), and the
// other header names both sides use (headers.go).
//
// Files, one concept each:
//
//	url.go             URL, Parser, Parse, ParseHost, CloudPrefixed: the path grammar above
//	types.go           ResourceType, DeliveryType and their parsing
//	search.go          SearchURL: search URLs (the SDKs' search to_url), bounded and checked
//	transformation.go  Transformation, Component, Param: transformation strings
//	keys.go            Key: the transformation parameter keys
//	layers.go          Layer, ParseLayer: l_ and u_ values (image, text, fetch)
//	conditions.go      Condition, ParseCondition, Flow: if_ conditions, if_else, if_end
//	variables.go       Expr, ParseExpr, Value, Env: $variables and arithmetic expressions
//	values.go          the typed parameter values: Dimension, Quality, DPR, Gravity, Effect, Radius, Angle...
//	enums.go           Crop, GravityMode, EffectName, Flag, AngleMode: enumerated values
//	colors.go          Color: colour values
//	effects.go         ParseColor, Component.ColorParam: the colours effects read (co_, arguments)
//	crops.go           AutoBackground: b_auto values read and checked
//	format.go          Format: extensions and f_ values, media types
//	numbers.go         decimal and integer parsing, float formatting
//	escape.go          percent-decoding and AppendEscaped (the SDKs' escaping)
//	canonical.go       AppendCanonical, String: a URL written back
//	signature.go       Sign: URL signatures (s--...--)
//	authtoken.go       VerifyToken, TokenKey: __cld_token__ tokens (auth_token), acl globs
//	access.go          Access: who may see an answer an edge caches (HeaderAccess, anonymous windows)
//	clientip.go        ClientIP: the client behind trusted proxies (X-Forwarded-For walked from the right)
//	class.go           Class, VersionClass: what purge rules match a URL by
//	host.go            HostMap, HostName: private-CDN hosts
//	negotiate.go       Negotiate: Accept collapsed into one format token
//	vary.go            Varies, Vary, DPRHint: what a URL's bytes depend on
//	autowidth.go       AutoWidth: w_auto's step and fallback, the width from the client hints
//	variant.go         Variant, Depends, Hints: NegotiateVariant, its text form (Append, ParseVariant), VariantFits
//	cachekey.go        AppendCacheKey, AppendRequestKey, AppendVariantKey: cache keys
//	headers.go         the header names of the edge–origin contract
//	cors.go            AllowHeaders, AllowedMethods, PreflightMaxAge: CORS of delivery URLs
//	errors.go          Error: the one public failure (status, message, Retry-After, hidden cause), RetryAfterHeader
//	echo.go            Echo: request text made safe to quote in an error
package delivery
