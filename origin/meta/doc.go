// Package meta stores asset metadata: assets with their versions, tags and
// context, derived resources, and delete tokens, plus what origins sharing
// one store coordinate by. Store is the interface the origin uses; SQLite
// (WAL, embedded) implements it for one origin, and Postgres for any
// number of origins sharing one database. Both run the same SQL (db, with
// a dialect where the engines differ), and the same contract tests
// (forEachStore); Open picks one by URL (origin.metadata_url).
//
// The stores:
//
//	meta.go             Store, Asset, Key, Derived: the interface and its types
//	open.go             Open: a store from origin.metadata_url, errors naming the key
//	db.go               db: every method in SQL both engines run; the dialect, transactions, retries
//	sqlite.go           SQLite: one file, one writer connection, relaxed commits
//	sqliteerr_cgo.go    the SQLite unique-violation check (cgo builds)
//	sqliteerr_nocgo.go  the same without cgo (no SQLite: never true)
//	postgres.go         Postgres: the pool, migrations under an advisory lock, its schema
//	migrate.go          SQLite's migrations; the schema both share from migration 8
//	ids.go              RandomHex: the random IDs of assets, versions, folders and the rest
//
// Assets and what hangs off them:
//
//	assets.go           Put, Update, Delete, Rename (versions strictly increasing), delete tokens
//	indexes.go          the tag, context, word and metadata index rows of an asset, its folder made
//	metadata_values.go  the index of an asset's structured metadata values; its table and columns for search
//	derived.go          derived resources: found, recorded once per twin, listed
//	analysis.go         AnalysisStore: what was computed from a version
//	backups.go          BackupStore: backed-up versions and the backup policy
//	related.go          RelationStore: related assets
//	import.go           Importer: assets in bulk
//
// What the Admin API asks:
//
//	list.go             Lister: listings by type, prefix, tag, context, moderation, IDs; cursors
//	asset_folder_count.go  CountAssetFolder: the total_count of resources/by_asset_folder
//	search.go           Searcher: search expressions compiled to SQL, keyset pages, counts, aggregations
//	search_aggregate.go RangeAggregation: counts of a search's assets in ranges of bytes, pixels, duration
//	search_tokens.go    the words of assets' text fields (asset_tokens), kept by every write, backfilled at
//	                    open; : and free text compiled to them
//	bulk.go             BulkDeleter: deletes of assets and derived resources in bulk
//	tags.go             TagStore: tags across assets
//	accessmode.go       AccessModeStore: access modes in bulk
//	publish.go          Publisher: assets moved to the upload type in bulk (publish_resources)
//	display_names.go    WithUniqueDisplayName: a display name made unique in its asset folder by Put and Update
//	accesscontrol.go    AccessRule: an asset's access_control (a JSON column)
//	transformations.go  TransformationStore: named and used transformations
//	mappings.go         MappingStore: upload mappings (folder to template URL prefix)
//	presets.go          PresetStore: upload presets
//	metadata_fields.go  MetadataFieldStore: structured metadata fields (tombstones when deleted)
//	triggers.go         TriggerStore: triggers (the URIs notified of an event type's changes)
//	usage.go            UsageStore: usage counters and what edges served
//	usage_daily.go      UsageHistoryStore: usage figures per day, when a cloud was first seen
//	folders.go          FolderStore: folders as rows (made with assets, created, listed, moved, deleted)
//	blobrefs.go         BlobRefStore: every blob a row refers to (fsck)
//
// What origins sharing a store coordinate by:
//
//	leases.go           LeaseStore: work done once across origins (take, renew, release)
//	counts.go           CountStore: counts per time window (the Admin API's hourly limit, unsigned uploads)
//	chunks.go           ChunkStore: chunked uploads' chunks and refusals
//	outbox.go           OutboxStore: webhooks written with their change, claimed under a lease, their outcome, listed
//	jobs.go             JobStore: background jobs written with their change, claimed under a lease, ended with their notification
//	claim.go            claimDue: the one claim statement of the outbox and the jobs (lease, SKIP LOCKED on PostgreSQL)
//
// Tests (each contract test runs on SQLite and PostgreSQL, forEachStore):
//
//	stores_test.go      TestMain (the PostgreSQL server), forEachStore, forEachReopened
//	store_test.go       assets, versions, derived resources, tokens
//	admin_test.go       listings, bulk deletes, transformations, usage, backups
//	mappings_test.go    upload mappings
//	metadata_test.go    metadata fields, the index of the assets' values
//	accessmode_test.go  access modes
//	tags_test.go        tags across assets
//	origins_test.go     two origins writing one database at once
//	shared_test.go      leases, counts, chunks, alone and from two origins at once
//	outbox_test.go      the outbox: written with the change, claimed once, retried, given up
//	jobs_test.go        jobs: written with the change, bounded, claimed once, retried, ended once with their notification
//	triggers_test.go    triggers; the outbox's bulk-delete notifications and pages
//	open_test.go        Open by URL and its errors
//	bench_test.go       the hot calls on both engines
package meta
