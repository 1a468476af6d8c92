package meta

import (
	"context"
	"fmt"
	"math"
	"strings"
)

// RangeAggregation counts a search's matching assets by ranges of a
// number field (RangeField): an asset counts in every range its value
// falls in, so overlapping ranges count it more than once.
type RangeAggregation struct {
	// Field is what is counted: bytes, pixels (images), image_pixels
	// (images), video_pixels (videos) or duration (videos).
	Field  string
	Ranges []Range
}

// Range is one bucket of a RangeAggregation: values from From (included)
// to To (excluded), as Elasticsearch's range aggregation; a nil bound is
// open.
type Range struct {
	Key      string
	From, To *float64
}

// rangeColumn is a range aggregation's value, whether it is an integer,
// and the resource type whose assets it counts ("": every asset).
type rangeColumn struct {
	sql     string
	integer bool
	only    string
}

// rangeColumns are the fields a search counts assets by ranges of. No
// asset has a duration the store keeps: every video counts as 0 seconds.
var rangeColumns = map[string]rangeColumn{
	"bytes":        {`a.bytes`, true, ""},
	"pixels":       {`(a.width * a.height)`, true, "image"},
	"image_pixels": {`(a.width * a.height)`, true, "image"},
	"video_pixels": {`(a.width * a.height)`, true, "video"},
	"duration":     {`CAST(0 AS DOUBLE PRECISION)`, false, "video"},
}

// RangeField reports a field a search can count by ranges of.
func RangeField(name string) bool { _, ok := rangeColumns[name]; return ok }

// rangeAggregate counts the assets of a search (from, with its args:
// searchFrom) in each range of r: every range's key is in the answer, 0
// when none falls in it.
func (s *db) rangeAggregate(ctx context.Context, r RangeAggregation, from string, args []any) (map[string]int64, error) {
	query, qargs, err := rangeAggregateSQL(r, from, args)
	if err != nil {
		return nil, err
	}
	counts := make([]int64, len(r.Ranges))
	dest := make([]any, len(counts))
	for i := range counts {
		dest[i] = &counts[i]
	}
	if err := s.r.QueryRowContext(ctx, query, qargs...).Scan(dest...); err != nil {
		return nil, fmt.Errorf("meta: search aggregate %s: %w", r.Field, err)
	}
	out := make(map[string]int64, len(r.Ranges))
	for i, rg := range r.Ranges {
		out[rg.Key] = counts[i]
	}
	return out, nil
}

// rangeAggregateSQL is the one query that counts a range aggregation over
// a search's matching assets: a count of a CASE per range, reading the
// rows the search's count reads (only those of the field's resource type).
func rangeAggregateSQL(r RangeAggregation, from string, args []any) (string, []any, error) {
	col, ok := rangeColumns[r.Field]
	if !ok || len(r.Ranges) == 0 {
		return "", nil, fmt.Errorf("meta: search: no range aggregation %s of %d ranges", r.Field, len(r.Ranges))
	}
	var qargs []any
	arg := func(v any) string { qargs = append(qargs, v); return `?` }
	bound := func(f float64) string {
		if col.integer {
			// An integer is at least f when at least ⌈f⌉, below f
			// when below ⌈f⌉.
			return arg(clampInt(math.Ceil(f)))
		}
		return `CAST(` + arg(f) + ` AS DOUBLE PRECISION)`
	}
	sums := make([]string, len(r.Ranges))
	for i, rg := range r.Ranges {
		var conds []string
		if rg.From != nil {
			conds = append(conds, col.sql+` >= `+bound(*rg.From))
		}
		if rg.To != nil {
			conds = append(conds, col.sql+` < `+bound(*rg.To))
		}
		if len(conds) == 0 {
			conds = []string{`1 = 1`}
		}
		sums[i] = `count(CASE WHEN ` + strings.Join(conds, ` AND `) + ` THEN 1 END)`
	}
	qargs = append(qargs, args...)
	where := from
	if col.only != "" {
		where += ` AND a.resource_type = ` + arg(col.only)
	}
	return `SELECT ` + strings.Join(sums, `, `) + ` FROM ` + where, qargs, nil
}
