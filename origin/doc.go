// Package origin is the asset service: durable storage of originals and
// derived files, Cloudinary's Upload and Admin APIs under /v1_1/<cloud>/,
// delivery of originals and transformations to edges, and the purge
// events that tell every edge what to drop. Images are made by
// origin/imaging (libvips, through cgo) and metadata kept by origin/meta
// (SQLite, through cgo); a build without cgo compiles, and its origin
// refuses to run.
//
// Sub-packages: meta (asset metadata, meta.Store), blob (file storage,
// blob.Store), imaging (libvips transforms), imagemeta (EXIF, IPTC, XMP
// read from a file), remote (the SSRF-guarded downloader, a
// standard-library leaf), api (the HTTP APIs' plumbing: parameters, the
// upload's file on disk, signatures, errors, cursors, the rate limit; a
// leaf that imports config and delivery only), console (the web console
// under /console/, on the APIs of this package called in process), search
// (the Search API's expression language: a parser with positioned errors,
// standard library only).
//
// The files are cut by role, the role in the name's prefix. Errors of
// every role are *delivery.Error (status, public message, Retry-After,
// hidden cause).
//
// The server:
//
//	server.go                 Server, New, ServeHTTP: routing to delivery, the APIs and /invalidations; call
//	config.go                 Config and its defaults
//	tls_config.go             TLS: the API over HTTPS on a listener of its own
//	metrics.go                the origin's Prometheus counters
//	storage.go                Storage, OpenStorageConfig (metadata_url, blobs_url, LOCK); blob writes and deletes
//	storage_fsck.go           Fsck: metadata and blobs checked against each other
//	console_wire.go           the web console (origin/console) built on this server's APIs; the live edges
//
// The Upload API (/v1_1/<cloud>/<rt>/<action>):
//
//	upload.go                 upload: options, classify, choose the public ID, store, answer
//	upload_paramspec.go       each action's implemented and refused parameters
//	upload_body.go            an upload's body: refused early, never held in memory
//	upload_slots.go           bounds on uploads in progress (420 with Retry-After)
//	upload_spool.go           upfile: an upload's file on disk (api.File), mapped for the image processor
//	upload_source.go          the file parameter: a file, a data URI or a remote URL (origin/remote)
//	upload_chunked.go         chunked uploads (X-Unique-Upload-Id, Content-Range): chunk blobs, records in meta
//	upload_incoming.go        incoming transformations and format conversion
//	upload_eager.go           eager transformations
//	upload_eager_async.go     eager_async: the job that makes them in the background, its eager notification
//	upload_async.go           async uploads: the file kept, the job that stores it, its failure notified
//	upload_analysis.go        analysis: colours, phash and embedded metadata of a version
//	upload_analyser.go        the background analyser that computes it
//	upload_response.go        assetJSON: the upload answer
//	upload_explicit.go        explicit
//	upload_rename.go          rename (renameAsset: the rename path folder renames share)
//	upload_folders.go         folder modes: where an asset's folder comes from; unique display names in it
//	upload_destroy.go         destroy (a multi's or sprite's result too), delete_by_token
//	upload_tags.go            tags, context (add, remove, replace)
//	upload_text.go            text: an image of a text string
//	upload_archive.go         generate_archive: zip and tgz archives streamed to the client or into a raw asset
//	upload_explode.go         explode: one derived image per page of a multi-page image
//	upload_tagged.go          the images with a tag that multi and sprite are made of; their results stored and purged
//	upload_made_urls.go       the images of multi's and sprite's urls: fetched as fetch delivery fetches
//	upload_multi.go           multi: an animated GIF or WebP, or a PDF, of the images with a tag (type multi)
//	upload_sprite.go          sprite: the images with a tag in one PNG or JPEG, with its CSS and JSON (type sprite)
//	upload_made_async.go      async multi and sprite: the job that runs the call, its failure notified
//	upload_presets.go         upload presets: the Admin API's upload_presets, applied by upload_preset
//	upload_unsigned.go        unsigned upload: the parameters an unsigned caller may set, its rates
//
// Webhooks (notification_url and triggers; docs/webhooks.md):
//
//	webhooks.go               the notifications' bodies, written to the outbox with the change (one per URL:
//	                          notification_url, the cloud's triggers); their signature
//	webhooks_made.go          the notifications of what multi, sprite, explode and generate_archive make
//	webhooks_config.go        Webhooks: timeouts, retries, bounds
//	webhooks_worker.go        webhookSender: claims due notifications, POSTs them, records the outcome; metrics
//	worker.go                 worker: the run loop of the background workers (webhooks, jobs, usage), claimRounds
//
// Background jobs (eager_async, async; meta's jobs):
//
//	jobs_config.go            Jobs: concurrency, timeout, attempts, bounds
//	jobs_worker.go            jobRunner: claims due jobs, does them, records the outcome with their notification
//
// The Admin API (/v1_1/<cloud>/resources..., tags, transformations, usage):
//
//	admin.go                  routing, adminHandler, authentication and the rate limit applied
//	admin_ratelimit_shared.go the rate limit counted in the metadata store, over every origin (PostgreSQL)
//	admin_paramspec.go        each method's implemented and refused parameters
//	admin_list.go             listings (by type, prefix, tag, context, moderation, IDs)
//	admin_search.go           resources/search: the Search API (expressions: origin/search)
//	search_aggregate.go       the Search API's aggregate: by value, in default or given ranges
//	admin_folders_search.go   folders/search: the Search Folders API
//	admin_select.go           how a bulk call selects its assets
//	admin_json.go             resourceJSON: an asset in a listing
//	admin_fields.go           the fields parameter
//	admin_details.go          one asset's details
//	admin_update.go           update one asset
//	admin_access.go           update_access_mode
//	admin_publish.go          publish_resources: authenticated and private assets renamed to upload in bulk
//	accesscontrol.go          access_control: parsing, the answers' JSON, anonymous windows
//	admin_delete.go           bulk deletes, derived deletes
//	admin_backup.go           backups and restore
//	admin_related.go          related assets
//	admin_transformations.go  named transformations: list, create, update, delete
//	admin_mappings.go         upload mappings: list, get, create, update, delete
//	admin_triggers.go         triggers: list, create, update, delete (the URIs of an event type's webhooks)
//	admin_notifications.go    notifications: what became of each webhook (a mediacdn extension)
//	admin_metadata_fields.go  structured metadata fields and their datasources (docs/metadata.md)
//	admin_usage.go            usage, today's counted live (no write), a past day's by date
//	admin_usage_recorder.go   each cloud's usage figures recorded as the day's, at start and hourly
//	admin_config.go           config: cloud_name, created_at, settings (folder_mode)
//	admin_folders.go          folders: list, create, rename (in the cloud's folder mode), delete
//
// Structured metadata values (docs/metadata.md):
//
//	metadata_schema.go        a field's definition, validation rules and datasource; a value checked against it
//	metadata_regexps.go       strregex patterns: their compiled size bounded, compiled once per origin (a bounded cache)
//	metadata_values.go        the metadata parameter: parsed, checked, merged; the metadata method; what answers show; clear_invalid
//	metadata_search.go        metadata_fields/datasource/search: the active entries of every datasource holding a term
//
// Delivery for edges (/<cloud>/<rt>/<type>/...):
//
//	deliver.go                serveDelivery: parse, resolve, answer; deliveryFail (X-Cld-Error)
//	deliver_access.go         gate: tokens for authenticated URLs and assets, access_control windows, X-Cld-Access
//	deliver_derive.go         a derived image found or made once (X-Delivery-Variant), stored
//	deliver_layers.go         the originals of a transformation's image layers (l_, u_), read for imaging
//	deliver_named.go          named transformations expanded; strict transformations
//	deliver_fetch.go          fetch delivery URLs: a remote image downloaded, kept and refreshed
//	deliver_mapped.go         auto-upload: a mapped folder's missing image fetched from its template, once
//	deliver_hints.go          the client hints a variant is made of; Accept-CH for clouds with client_hints
//	deliver_attachment.go     fl_attachment
//	deliver_cors.go           OPTIONS on delivery paths
//	deliver_search.go         search URLs (the SDKs' search to_url): signed, run through resources/search, cached ttl seconds
//	deliver_waiters.go        a transform stops when the last client waiting for it leaves
//	deliver_recordings.go     derived images being recorded in the background
//
// Purges (see docs/architecture.md, "Purges"):
//
//	purge_events.go           Event, Events.Emit: the only way a purge leaves the origin
//	purge_rules.go            every purge rule built from events
//	purge_publish.go          Purger: rules stored, published on NATS, their status
//	purge_invalidations.go    /invalidations: a purge asked for, and how many edges applied it
package origin
