package meta

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
)

// Asset.Metadata holds an asset's structured metadata values by field
// external ID: a string (string, date, an enum's entry), an integer (int64
// written, json.Number read) or a list of strings (a set's entries). The
// origin checks them against the fields; the store keeps them with the
// asset and indexes them.
//
// The index of the assets' structured metadata: one row per asset, field
// and value (one per element of a set) in MetadataValuesTable, written in
// every transaction that writes an asset (setIndexes) from Asset.Metadata
// and the cloud's fields, and dropped with a field. The value is in the
// column of its field's type (MetadataColumn), indexed by (cloud, field,
// column, asset): what a search of metadata.<external_id> compiles to.
const (
	// MetadataValuesTable is the index's table: columns asset (the
	// assets row id), cloud, resource_type, field (the external ID), value
	// (the value as text) and the typed columns below.
	MetadataValuesTable = "asset_metadata"
	// MetadataStringColumn holds string values and the external IDs of
	// enum and set values.
	MetadataStringColumn = "string_value"
	// MetadataNumberColumn holds integer values.
	MetadataNumberColumn = "number_value"
	// MetadataDateColumn holds date values as YYYY-MM-DD (which sorts as
	// the dates do).
	MetadataDateColumn = "date_value"
)

// The types of a structured metadata field.
const (
	MetadataTypeString  = "string"
	MetadataTypeInteger = "integer"
	MetadataTypeDate    = "date"
	MetadataTypeEnum    = "enum"
	MetadataTypeSet     = "set"
)

// MetadataColumn is the typed column of MetadataValuesTable holding the
// values of a field of type typ, "" for an unknown type.
func MetadataColumn(typ string) string {
	switch typ {
	case MetadataTypeString, MetadataTypeEnum, MetadataTypeSet:
		return MetadataStringColumn
	case MetadataTypeInteger:
		return MetadataNumberColumn
	case MetadataTypeDate:
		return MetadataDateColumn
	}
	return ""
}

// metadataTypes are the types of a cloud's metadata fields by external
// ID (not the deleted ones). On PostgreSQL the rows are read FOR SHARE: a
// field's deletion (an UPDATE of its row) and the writes that index
// values of it take turns, so that no write indexes values (or words) of
// a field deleted in between, which the deletion would not see.
func metadataTypes(ctx context.Context, tx *txn, cloud string) (map[string]string, error) {
	types := map[string]string{}
	share := ``
	if tx.d.postgres {
		share = ` FOR SHARE`
	}
	rows, err := tx.QueryContext(ctx, `SELECT external_id, type FROM metadata_fields WHERE cloud = ? AND NOT deleted`+share, cloud)
	if err != nil {
		return nil, fmt.Errorf("meta: metadata: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, t string
		if err := rows.Scan(&k, &t); err != nil {
			return nil, fmt.Errorf("meta: metadata: %w", err)
		}
		types[k] = t
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("meta: metadata: %w", err)
	}
	return types, nil
}

// setMetadata rewrites an asset's rows of MetadataValuesTable; types are
// the types of the cloud's fields (metadataTypes; nil for an asset without
// metadata). Values of keys that are not (or no longer) a field of the
// cloud are not indexed.
func setMetadata(ctx context.Context, tx *txn, id int64, a *Asset, types map[string]string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+MetadataValuesTable+` WHERE asset = ?`, id); err != nil {
		return fmt.Errorf("meta: metadata: %w", err)
	}
	for field, v := range a.Metadata {
		typ, ok := types[field]
		if !ok {
			continue
		}
		for _, text := range metadataTexts(v) {
			var str, date any
			var num any
			switch MetadataColumn(typ) {
			case MetadataStringColumn:
				str = text
			case MetadataDateColumn:
				date = text
			case MetadataNumberColumn:
				n, err := strconv.ParseInt(text, 10, 64)
				if err != nil {
					continue // not an integer: nothing to find it by
				}
				num = n
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO `+MetadataValuesTable+` (asset, cloud, resource_type, field,
				value, `+MetadataStringColumn+`, `+MetadataNumberColumn+`, `+MetadataDateColumn+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				id, a.Cloud, a.ResourceType, field, text, str, num, date); err != nil {
				return fmt.Errorf("meta: metadata: %w", err)
			}
		}
	}
	return nil
}

// metadataTexts are a value's texts: one per element of a list, else one.
func metadataTexts(v any) []string {
	switch v := v.(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			out = append(out, metadataText(e))
		}
		return out
	}
	return []string{metadataText(v)}
}

func metadataText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
