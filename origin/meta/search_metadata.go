package meta

import (
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/origin/search"
)

// A search's metadata.<external_id> terms compile to the index of the
// assets' structured metadata (MetadataValuesTable): the rows of the
// field whose typed column (the term's kind: Text the string column,
// which holds the external IDs of enum and set entries too; Number the
// integer column; Date the date column) compares with the value, through
// the index (cloud, field, column, asset).

// metadataColumnOf is the typed column of a metadata term's values.
func metadataColumnOf(k search.Kind) string {
	switch k {
	case search.Number:
		return MetadataNumberColumn
	case search.Date:
		return MetadataDateColumn
	}
	return MetadataStringColumn
}

// metadataCond is a metadata term's condition on the rows (alias m) of
// the index: m's field and typed column.
func (c *compiler) metadataCond(m string, t search.Term) string {
	col := m + `.` + metadataColumnOf(t.Kind)
	cond := m + `.cloud = ` + c.arg(c.cloud) + ` AND ` + m + `.field = ` + c.arg(t.Key) + ` AND `
	switch t.Kind {
	case search.Number:
		return cond + c.integers(col, t)
	case search.Date:
		return cond + c.metadataDates(col, t)
	}
	return cond + c.match(col, t.Value)
}

// metadata is a metadata term: the asset has a value of the field that
// compares.
func (c *compiler) metadata(t search.Term) string {
	return `a.id IN (SELECT m.asset FROM ` + MetadataValuesTable + ` m WHERE ` + c.metadataCond(`m`, t) + `)`
}

// metadataDates compares a date column (YYYY-MM-DD, a day from its
// midnight UTC) with a term's times: a time within a day moves its bound
// to the day's edge that keeps the comparison true (after 10:00 on the
// 31st is from the 1st on; before it, the 31st and earlier).
func (c *compiler) metadataDates(col string, t search.Term) string {
	day := func(v search.Value) string { return v.Time.UTC().Format(time.DateOnly) }
	midnight := func(v search.Value) bool { return v.Time.UTC().Truncate(24 * time.Hour).Equal(v.Time.UTC()) }
	next := func(v search.Value) string { return v.Time.UTC().AddDate(0, 0, 1).Format(time.DateOnly) }
	lower := func(v search.Value, incl bool) string { // the day is at or after v
		switch {
		case !midnight(v):
			return col + ` >= ` + c.arg(next(v))
		case incl:
			return col + ` >= ` + c.arg(day(v))
		}
		return col + ` > ` + c.arg(day(v))
	}
	upper := func(v search.Value, incl bool) string { // the day is at or before v
		switch {
		case !midnight(v), incl:
			return col + ` <= ` + c.arg(day(v))
		}
		return col + ` < ` + c.arg(day(v))
	}
	switch t.Op {
	case search.Eq:
		if !midnight(t.Value) {
			return `1 = 0`
		}
		return col + ` = ` + c.arg(day(t.Value))
	case search.Gt:
		return lower(t.Value, false)
	case search.Ge:
		return lower(t.Value, true)
	case search.Lt:
		return upper(t.Value, false)
	case search.Le:
		return upper(t.Value, true)
	}
	parts := []string{col + ` IS NOT NULL`}
	if !t.Value.Open {
		parts = append(parts, lower(t.Value, t.LowIncl))
	}
	if !t.High.Open {
		parts = append(parts, upper(t.High, t.HighIncl))
	}
	return `(` + strings.Join(parts, ` AND `) + `)`
}

// metadataLead is the rows (d0, with its asset) of a metadata term that
// leads a search (leadingTerm): each asset once. A value, a comparison or
// a range matches one row of an asset at most (the index's key is asset,
// field and value; integer and date fields hold one value); a text prefix
// may match several entries of a set, which DISTINCT makes one. cond is
// the condition on d0 (with AND after it), or "".
func (c *compiler) metadataLead(t search.Term) (rows, cond string) {
	if t.Kind == search.Text && t.Value.Prefix {
		return `(SELECT DISTINCT m.asset FROM ` + MetadataValuesTable + ` m WHERE ` + c.metadataCond(`m`, t) + `) d0`, ``
	}
	return MetadataValuesTable + ` d0`, c.metadataCond(`d0`, t) + ` AND `
}
