// Package config holds what every component's configuration shares: the
// per-cloud settings, logging, byte sizes, and strict YAML loading with
// environment overrides for secrets. Each component (edge, origin, purge)
// defines its own Config with documented fields, defaults and Validate.
//
// A file's way: LoadFile reads it and Decode checks every key against the
// type it is decoded into (a key that names no setting is a LineError
// naming its line, its section and the key it likely misspells), then
// decodes it strictly; yaml.v3's type errors are reworded to speak of
// values. Each component's Validate then answers with a FieldError naming
// the field by its YAML path (Errorf, Prefix), and the ApplyEnv methods
// take keys and secrets from MEDIACDN_* variables (Clouds.ApplyEnv here).
//
// Files, one concept each:
//
//	config.go       EnvPrefix, Decode, LoadFile, FieldError, Errorf, Prefix
//	keys.go         checkKeys: unknown keys by line and section, the key meant (edit distance)
//	yamlerr.go      LineError, LineErrors: yaml.v3's errors reworded, path:line: prefixes
//	cloud.go        Cloud, Clouds, Invalidation: clouds.<name>, env overrides, validation
//	admin.go        AdminAPI, UsageLimits: a cloud's Admin API rate limit, plan and usage limits
//	placeholder.go  Placeholder: stand-in secrets ("change-me") only dev accepts
//	log.go          Log: level and format, the slog.Logger it builds
//	size.go         Size: byte counts in YAML ("512MiB"), ParseSize
//	addr.go         CheckHostPort, CheckURL: listen addresses and URLs
//	blobs.go        BlobsURL, BlobsLocation: origin.blobs_url (file or s3), S3 credentials' variables
//	metadata.go     origin.metadata_url (SQLite or PostgreSQL): CheckMetadataURL, ParseMetadataURL, MetadataURL
package config
