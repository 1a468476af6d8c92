package meta

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/origin/search"
)

// The words (tokens, search.Words) of an asset's descriptive text fields
// are indexed in asset_tokens, one row per (cloud, word, field, asset):
// the public ID, its last segment (filename), the display name, each tag
// (field tags), each context value (field context.<key>) and the value of
// each string structured metadata field (field metadata.<external_id>:
// not enum or set entries, nor integers or dates). A search's
// : on those fields, and a term without a field, compile to lookups in
// its primary key: a word is an equality, a word prefix a range, a field
// one more equality. The rows are written with the asset, in the same
// transaction (setTokens from setIndexes, setTagTokens where only tags
// change; either writes only the rows of the words that come or go), and
// go with it (ON DELETE CASCADE, through asset_tokens_asset). A deleted
// metadata field's rows go with it (deleteMetadataTokens); a field's type
// never changes.

// tokensSchema is migration 22 of SQLite and 16 of PostgreSQL (collate
// is PostgreSQL's COLLATE "C": words compare by byte order, as SQLite's,
// for prefix ranges; withoutRowID is SQLite's WITHOUT ROWID: the table is
// its primary key). asset_tokens_backfill holds where the backfill of the
// assets stored before it is (backfillTokens): it has no row once done.
func tokensSchema(collate, withoutRowID string) string {
	return `CREATE TABLE asset_tokens (
		cloud TEXT` + collate + ` NOT NULL,
		token TEXT` + collate + ` NOT NULL,
		field TEXT` + collate + ` NOT NULL,
		asset BIGINT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
		PRIMARY KEY (cloud, token, field, asset)
	)` + withoutRowID + `;
	CREATE INDEX asset_tokens_asset ON asset_tokens (asset, field);
	CREATE TABLE asset_tokens_backfill (next BIGINT NOT NULL);
	INSERT INTO asset_tokens_backfill (next) VALUES (0);`
}

// tokensMetadataBackfill is migration 23 of SQLite and 17 of PostgreSQL:
// the words of string metadata values are indexed from then on, and the
// backfill (backfillTokens) indexes every asset's words again, those of
// its metadata with them.
const tokensMetadataBackfill = `DELETE FROM asset_tokens_backfill;
	INSERT INTO asset_tokens_backfill (next) VALUES (0);`

// Fields of asset_tokens: the text fields that have words, as search names
// them (context values: context.<key>).
const (
	tokensPublicID    = string(search.PublicID)
	tokensFilename    = string(search.Filename)
	tokensDisplayName = string(search.DisplayName)
	tokensTags        = string(search.Tags)
	tokensContext     = string(search.Context) + "."
	tokensMetadata    = string(search.Metadata) + "."
)

// tokenRow is one row of asset_tokens.
type tokenRow struct {
	asset               int64
	cloud, field, token string
}

// addTokens adds the rows of the words of value in field of the asset
// id of cloud to rows, once each.
func addTokens(rows []tokenRow, seen map[tokenRow]bool, id int64, cloud, field, value string) []tokenRow {
	for _, w := range search.Words(value) {
		r := tokenRow{id, cloud, field, w}
		if !seen[r] {
			seen[r] = true
			rows = append(rows, r)
		}
	}
	return rows
}

// assetTokens adds the rows of the words of the asset id of cloud to
// rows; strs are its string metadata values (metadataStrings).
func assetTokens(rows []tokenRow, id int64, cloud, publicID, displayName string, tags []string, ctxValues, strs map[string]string) []tokenRow {
	seen, start := map[tokenRow]bool{}, len(rows)
	rows = addTokens(rows, seen, id, cloud, tokensPublicID, publicID)
	rows = addTokens(rows, seen, id, cloud, tokensFilename, publicID[strings.LastIndexByte(publicID, '/')+1:])
	rows = addTokens(rows, seen, id, cloud, tokensDisplayName, displayName)
	for _, t := range tags {
		rows = addTokens(rows, seen, id, cloud, tokensTags, t)
	}
	for k, v := range ctxValues {
		rows = addTokens(rows, seen, id, cloud, tokensContext+k, v)
	}
	for k, v := range strs {
		rows = addTokens(rows, seen, id, cloud, tokensMetadata+k, v)
	}
	return capTokens(rows, start)
}

// maxTokensPerField bounds the words an asset has indexed in one field
// (tags: across its tags), the first ones in order (a value's, then the
// next tag's): 1,000 tags of 32 words would be 32,000 rows.
const maxTokensPerField = 256

// capTokens keeps, of rows[start:], the first maxTokensPerField of each
// asset's field.
func capTokens(rows []tokenRow, start int) []tokenRow {
	type key struct {
		asset int64
		field string
	}
	n := map[key]int{}
	out := rows[:start]
	for _, r := range rows[start:] {
		k := key{r.asset, r.field}
		if n[k] < maxTokensPerField {
			n[k]++
			out = append(out, r)
		}
	}
	return out
}

// setTokens makes the rows of an asset's words those of a (setIndexes);
// types are the types of the cloud's metadata fields (metadataTypes).
func setTokens(ctx context.Context, tx *txn, id int64, a *Asset, types map[string]string) error {
	return syncTokens(ctx, tx, id, assetTokens(nil, id, a.Cloud, a.PublicID, a.DisplayName, a.Tags, a.Context,
		metadataStrings(a.Metadata, types)), false)
}

// metadataStrings are the values of an asset's string metadata fields
// (types: metadataTypes) by external ID: the values that have words. A
// key that is no field (or a deleted one) has none.
func metadataStrings(md map[string]any, types map[string]string) map[string]string {
	var out map[string]string
	for k, v := range md {
		if s, ok := v.(string); ok && types[k] == MetadataTypeString {
			if out == nil {
				out = map[string]string{}
			}
			out[k] = s
		}
	}
	return out
}

// deleteMetadataTokens deletes the rows of the words of a metadata field's
// values, before its rows of MetadataValuesTable go (which find the assets
// that have one, through its index (cloud, field, ...)).
func deleteMetadataTokens(ctx context.Context, tx *txn, cloud, externalID string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM asset_tokens WHERE field = ? AND asset IN
		(SELECT m.asset FROM `+MetadataValuesTable+` m WHERE m.cloud = ? AND m.field = ?)`,
		tokensMetadata+externalID, cloud, externalID); err != nil {
		return fmt.Errorf("meta: delete metadata field words: %w", err)
	}
	return nil
}

// setTagTokens makes the rows of the words of an asset's tags those of
// tags, where only its tags change.
func setTagTokens(ctx context.Context, tx *txn, id int64, cloud string, tags []string) error {
	seen := map[tokenRow]bool{}
	var rows []tokenRow
	for _, t := range tags {
		rows = addTokens(rows, seen, id, cloud, tokensTags, t)
	}
	return syncTokens(ctx, tx, id, capTokens(rows, 0), true)
}

// syncTokens makes the rows of the asset id (of the field tags only, with
// tagsOnly) want: it reads those it has, deletes those it no longer has
// and inserts the new ones, so that a write that changes few words writes
// few rows (each in its own place of the index).
func syncTokens(ctx context.Context, tx *txn, id int64, want []tokenRow, tagsOnly bool) error {
	q, args := `SELECT cloud, field, token FROM asset_tokens WHERE asset = ?`, []any{id}
	if tagsOnly {
		q, args = q+` AND field = ?`, append(args, tokensTags)
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("meta: tokens: %w", err)
	}
	have := map[tokenRow]bool{}
	for rows.Next() {
		r := tokenRow{asset: id}
		if err := rows.Scan(&r.cloud, &r.field, &r.token); err != nil {
			rows.Close()
			return fmt.Errorf("meta: tokens: %w", err)
		}
		have[r] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("meta: tokens: %w", err)
	}
	var add []tokenRow
	for _, r := range want {
		if have[r] {
			delete(have, r)
		} else {
			add = append(add, r)
		}
	}
	for r := range have {
		if _, err := tx.ExecContext(ctx, `DELETE FROM asset_tokens WHERE cloud = ? AND token = ? AND field = ? AND asset = ?`,
			r.cloud, r.token, r.field, r.asset); err != nil {
			return fmt.Errorf("meta: tokens: %w", err)
		}
	}
	return insertTokens(ctx, tx, add)
}

// tokensPerInsert bounds the rows of one INSERT (4 parameters each).
const tokensPerInsert = 100

func insertTokens(ctx context.Context, tx *txn, rows []tokenRow) error {
	for len(rows) > 0 {
		n := min(len(rows), tokensPerInsert)
		args := make([]any, 0, 4*n)
		for _, r := range rows[:n] {
			args = append(args, r.cloud, r.token, r.field, r.asset)
		}
		q := `INSERT INTO asset_tokens (cloud, token, field, asset) VALUES ` +
			strings.TrimSuffix(strings.Repeat(`(?, ?, ?, ?), `, n), `, `) + ` ON CONFLICT DO NOTHING`
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("meta: tokens: %w", err)
		}
		rows = rows[n:]
	}
	return nil
}

// backfillBatch is how many assets one transaction of the backfill
// indexes.
const backfillBatch = 500

// backfillLogEvery is how often a backfill logs how far it is: it takes
// a minute or two per million assets (SQLite: 200,000 in 16 s on 2 busy
// cores), and the origin serves only after it.
const backfillLogEvery = 10 * time.Second

// backfillTokens indexes the words of the assets stored before
// asset_tokens was made (migration 22 of SQLite, 16 of PostgreSQL), or
// before the words of string metadata values were (23, 17: it starts over,
// each asset's rows made again), in order of their sequence, backfillBatch per
// transaction, resuming where it stopped (asset_tokens_backfill); the
// assets are locked while read and indexed (an origin writing one waits),
// so no write in between is lost. It runs when the store opens, before it
// serves, and does nothing once done (the table has no row). It logs
// (slog's default logger) when it starts, how far it is every
// backfillLogEvery, and when it is done.
func (s *db) backfillTokens(ctx context.Context) error {
	var total, indexed int64
	started := time.Now()
	logged := started
	for done := false; !done; {
		var n int64
		err := s.tx(ctx, func(tx *txn) error {
			n = 0
			done = false
			var next int64
			err := tx.QueryRowContext(ctx, `SELECT next FROM asset_tokens_backfill`+tx.d.forUpdate()).Scan(&next)
			if errors.Is(err, sql.ErrNoRows) {
				done = true
				return nil
			}
			if err != nil {
				return fmt.Errorf("meta: tokens backfill: %w", err)
			}
			if indexed == 0 { // the first batch: how many to do, for the logs
				if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM assets WHERE id > ?`, next).Scan(&total); err != nil {
					return fmt.Errorf("meta: tokens backfill: %w", err)
				}
			}
			rows, err := tx.QueryContext(ctx, `SELECT id, cloud, public_id, display_name, tags, context, metadata FROM assets
				WHERE id > ? ORDER BY id LIMIT ?`+tx.d.forUpdate(), next, backfillBatch)
			if err != nil {
				return fmt.Errorf("meta: tokens backfill: %w", err)
			}
			type asset struct {
				id                                    int64
				cloud, publicID, name, tags, ctxt, md string
			}
			var batch []asset
			for rows.Next() {
				var a asset
				if err := rows.Scan(&a.id, &a.cloud, &a.publicID, &a.name, &a.tags, &a.ctxt, &a.md); err != nil {
					rows.Close()
					return fmt.Errorf("meta: tokens backfill: %w", err)
				}
				batch = append(batch, a)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("meta: tokens backfill: %w", err)
			}
			var words []tokenRow
			types := map[string]map[string]string{} // by cloud
			for _, a := range batch {
				var tags []string
				var ctxValues map[string]string
				var md map[string]any
				if err := json.Unmarshal([]byte(a.tags), &tags); err != nil {
					return fmt.Errorf("meta: tokens backfill: asset %d: tags: %w", a.id, err)
				}
				if err := json.Unmarshal([]byte(a.ctxt), &ctxValues); err != nil {
					return fmt.Errorf("meta: tokens backfill: asset %d: context: %w", a.id, err)
				}
				if err := json.Unmarshal([]byte(a.md), &md); err != nil {
					return fmt.Errorf("meta: tokens backfill: asset %d: metadata: %w", a.id, err)
				}
				if _, ok := types[a.cloud]; !ok && len(md) > 0 {
					if types[a.cloud], err = metadataTypes(ctx, tx, a.cloud); err != nil {
						return err
					}
				}
				words = assetTokens(words, a.id, a.cloud, a.publicID, a.name, tags, ctxValues, metadataStrings(md, types[a.cloud]))
			}
			if len(batch) > 0 {
				// rows a write made since the migration: made again
				if _, err := tx.ExecContext(ctx, `DELETE FROM asset_tokens WHERE asset > ? AND asset <= ?`,
					next, batch[len(batch)-1].id); err != nil {
					return fmt.Errorf("meta: tokens backfill: %w", err)
				}
			}
			if err := insertTokens(ctx, tx, words); err != nil {
				return err
			}
			n = int64(len(batch))
			if len(batch) < backfillBatch {
				done = true
				_, err = tx.ExecContext(ctx, `DELETE FROM asset_tokens_backfill`)
			} else {
				_, err = tx.ExecContext(ctx, `UPDATE asset_tokens_backfill SET next = ?`, batch[len(batch)-1].id)
			}
			if err != nil {
				return fmt.Errorf("meta: tokens backfill: %w", err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if indexed == 0 && n > 0 && !done { // the first of several batches: say what is to come
			slog.Default().Info("meta: indexing the words of the assets stored before search words (once; the origin serves when done)",
				"assets", total)
		}
		indexed += n
		switch {
		case done && indexed > 0:
			slog.Default().Info("meta: words of the assets stored before indexed", "assets", indexed,
				"took", time.Since(started).Round(time.Millisecond).String())
		case !done && time.Since(logged) >= backfillLogEvery:
			logged = time.Now()
			slog.Default().Info("meta: indexing the words of the assets stored before", "indexed", indexed, "of", total)
		}
	}
	return nil
}

// tokensField is the field of a words term's rows: "" for a term without
// a field (any field).
func tokensField(t search.Term) string {
	switch t.Field {
	case search.Any:
		return ""
	case search.Context:
		return tokensContext + t.Key
	case search.Metadata:
		return tokensMetadata + t.Key
	}
	return string(t.Field)
}

// tokenRows is the FROM and WHERE of the rows (alias k0, with its asset)
// of the assets a words term matches: the rows of one word (its last, a
// prefix, when the term is one), joined for each other word to its row of
// the same asset and field (all the value's words in one field).
func (c *compiler) tokenRows(t search.Term, k0 string) (from, where string) {
	words := search.Words(t.Value.Text)
	lead := 0
	if t.Value.Prefix {
		lead = len(words) - 1
	}
	field := tokensField(t)
	from = `asset_tokens ` + k0
	for i, w := range words {
		if i == lead {
			continue
		}
		k := fmt.Sprintf(`%s_%d`, k0, i)
		from += ` JOIN asset_tokens ` + k + ` ON ` + k + `.cloud = ` + k0 + `.cloud AND ` + k + `.token = ` + c.arg(w) +
			` AND ` + k + `.field = ` + k0 + `.field AND ` + k + `.asset = ` + k0 + `.asset`
	}
	where = k0 + `.cloud = ` + c.arg(c.cloud) + ` AND `
	if t.Value.Prefix {
		where += c.prefix(k0+`.token`, words[lead])
	} else {
		where += k0 + `.token = ` + c.arg(words[lead])
	}
	if field != "" {
		where += ` AND ` + k0 + `.field = ` + c.arg(field)
	}
	return from, where
}

// words is a words term's condition: the asset is among its rows'.
func (c *compiler) words(t search.Term) string {
	from, where := c.tokenRows(t, `k`)
	return `a.id IN (SELECT k.asset FROM ` + from + ` WHERE ` + where + `)`
}

// wordsLead is the rows (d0, with its asset) of a words term that leads a
// search (leadingTerm): each asset once. One word of one field is one row
// of an asset at most; a prefix, several words or any field may be
// several, which DISTINCT makes one. cond is the condition on d0 (with
// AND after it), or "".
func (c *compiler) wordsLead(t search.Term) (rows, cond string) {
	if t.Value.Prefix || t.Field == search.Any || len(search.Words(t.Value.Text)) > 1 {
		from, where := c.tokenRows(t, `k`)
		return `(SELECT DISTINCT k.asset FROM ` + from + ` WHERE ` + where + `) d0`, ``
	}
	from, where := c.tokenRows(t, `d0`)
	return from, where + ` AND `
}
