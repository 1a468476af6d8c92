package meta

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mediacdn/mediacdn/origin/search"
)

// Searcher runs the Search API's queries.
type Searcher interface {
	// Search returns one page of the assets q.Expr matches, in q.Sort,
	// after q.After; with the total count and the aggregations asked for.
	Search(ctx context.Context, q SearchQuery) (SearchPage, error)
}

// SearchQuery is a search: a parsed expression (nil: every asset of the
// cloud), its order, where the page starts and what to count.
type SearchQuery struct {
	Cloud string
	Expr  search.Node
	// Sort orders the assets (SortKeys); the asset's sequence breaks ties,
	// in the direction of the last key. Empty: newest first.
	Sort []SortKey
	// After is the position of the previous page's last asset (Next of
	// that page): nil for the first page.
	After []string
	Limit int
	// Count asks for Total.
	Count bool
	// Aggregate names the fields (AggregateFields) to count assets by.
	Aggregate []string
	// Ranges counts assets by ranges of number fields
	// (search_aggregate.go).
	Ranges []RangeAggregation
}

// SortKey is one key of a search's order.
type SortKey struct {
	Field string
	Desc  bool
}

// SearchPage is one page of a search.
type SearchPage struct {
	Assets []*Asset
	// Next is the position of the page's last asset when more follow.
	Next  []string
	Total int64
	// Aggregations counts the matching assets by each aggregated field's
	// values (Aggregate), and in each range of Ranges by their field.
	Aggregations map[string]map[string]int64
}

// ErrBadPosition is a search's After that does not fit its order.
var ErrBadPosition = errors.New("meta: search position does not fit the order")

// sortColumn is a sort key's SQL and whether its values are integers.
type sortColumn struct {
	sql     string
	integer bool
}

// sortColumns are the fields a search sorts by.
var sortColumns = map[string]sortColumn{
	"created_at":    {`a.created_at`, true},
	"uploaded_at":   {`a.version`, true},
	"public_id":     {`a.public_id`, false},
	"asset_id":      {`a.asset_id`, false},
	"display_name":  {`a.display_name`, false},
	"asset_folder":  {`a.asset_folder`, false},
	"format":        {`a.format`, false},
	"resource_type": {`a.resource_type`, false},
	"type":          {`a.type`, false},
	"bytes":         {`a.bytes`, true},
	"width":         {`a.width`, true},
	"height":        {`a.height`, true},
	"pixels":        {`(a.width * a.height)`, true},
	"pages":         {`a.pages`, true},
}

// SortField reports a field a search can sort by.
func SortField(name string) bool { _, ok := sortColumns[name]; return ok }

// aggregateColumns are the fields a search counts assets by.
var aggregateColumns = map[string]string{"format": `a.format`, "resource_type": `a.resource_type`, "type": `a.type`}

// AggregateField reports a field a search can aggregate.
func AggregateField(name string) bool { _, ok := aggregateColumns[name]; return ok }

// Search runs a search.
func (s *db) Search(ctx context.Context, q SearchQuery) (SearchPage, error) {
	if q.Limit < 1 {
		return SearchPage{}, fmt.Errorf("meta: search: limit %d", q.Limit)
	}
	from, args, err := searchFrom(q, s.d)
	if err != nil {
		return SearchPage{}, err
	}
	query, pargs, err := searchPageSQL(q, from, args)
	if err != nil {
		return SearchPage{}, err
	}
	rows, err := s.r.QueryContext(ctx, query, pargs...)
	if err != nil {
		return SearchPage{}, fmt.Errorf("meta: search: %w", err)
	}
	var page SearchPage
	for rows.Next() {
		a, _, err := scanAsset(rows)
		if err != nil {
			rows.Close()
			return SearchPage{}, err
		}
		page.Assets = append(page.Assets, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return SearchPage{}, fmt.Errorf("meta: search: %w", err)
	}
	if len(page.Assets) > q.Limit {
		page.Assets = page.Assets[:q.Limit]
		page.Next = position(page.Assets[q.Limit-1], sortOf(q))
	}
	if q.Count {
		if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM `+from, args...).Scan(&page.Total); err != nil {
			return SearchPage{}, fmt.Errorf("meta: search count: %w", err)
		}
	}
	for _, f := range q.Aggregate {
		col, ok := aggregateColumns[f]
		if !ok {
			return SearchPage{}, fmt.Errorf("meta: search: no aggregation %s", f)
		}
		counts, err := s.aggregate(ctx, col, from, args)
		if err != nil {
			return SearchPage{}, err
		}
		if page.Aggregations == nil {
			page.Aggregations = map[string]map[string]int64{}
		}
		page.Aggregations[f] = counts
	}
	for _, r := range q.Ranges {
		counts, err := s.rangeAggregate(ctx, r, from, args)
		if err != nil {
			return SearchPage{}, err
		}
		if page.Aggregations == nil {
			page.Aggregations = map[string]map[string]int64{}
		}
		page.Aggregations[r.Field] = counts
	}
	return page, nil
}

func (s *db) aggregate(ctx context.Context, col, from string, args []any) (map[string]int64, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+col+`, count(*) FROM `+from+` GROUP BY `+col, args...)
	if err != nil {
		return nil, fmt.Errorf("meta: search aggregate: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var v string
		var n int64
		if err := rows.Scan(&v, &n); err != nil {
			return nil, fmt.Errorf("meta: search aggregate: %w", err)
		}
		out[v] = n
	}
	return out, rows.Err()
}

// sortOf is the order of a search: its keys, newest first by default.
func sortOf(q SearchQuery) []SortKey {
	if len(q.Sort) == 0 {
		return []SortKey{{Field: "created_at", Desc: true}}
	}
	return q.Sort
}

// position is where a page ends: the sort keys' values of its last asset,
// then its sequence.
func position(a *Asset, keys []SortKey) []string {
	out := make([]string, 0, len(keys)+1)
	for _, k := range keys {
		var v string
		switch k.Field {
		case "created_at":
			v = strconv.FormatInt(a.CreatedAt.UnixNano(), 10)
		case "uploaded_at":
			v = strconv.FormatInt(a.Version, 10)
		case "public_id":
			v = a.PublicID
		case "asset_id":
			v = a.AssetID
		case "display_name":
			v = a.DisplayName
		case "asset_folder":
			v = a.AssetFolder
		case "format":
			v = a.Format
		case "resource_type":
			v = a.ResourceType.String()
		case "type":
			v = a.Type.String()
		case "bytes":
			v = strconv.FormatInt(a.Bytes, 10)
		case "width":
			v = strconv.Itoa(a.Width)
		case "height":
			v = strconv.Itoa(a.Height)
		case "pixels":
			v = strconv.FormatInt(int64(a.Width)*int64(a.Height), 10)
		case "pages":
			v = strconv.Itoa(a.Pages)
		}
		out = append(out, v)
	}
	return append(out, strconv.FormatInt(a.Seq, 10))
}

// searchPageSQL is the query of a page: the tables and filter (from, with
// its args: searchFrom), the position after which it starts, the order,
// one row more than the page.
func searchPageSQL(q SearchQuery, from string, args []any) (string, []any, error) {
	keys := sortOf(q)
	cols := make([]string, 0, len(keys)+1)
	desc := make([]bool, 0, len(keys)+1)
	integer := make([]bool, 0, len(keys)+1)
	for _, k := range keys {
		c, ok := sortColumns[k.Field]
		if !ok {
			return "", nil, fmt.Errorf("meta: search: no sort by %s", k.Field)
		}
		cols, desc, integer = append(cols, c.sql), append(desc, k.Desc), append(integer, c.integer)
	}
	cols, desc, integer = append(cols, `a.id`), append(desc, keys[len(keys)-1].Desc), append(integer, true)
	args = append([]any(nil), args...)
	if q.After != nil {
		if len(q.After) != len(cols) {
			return "", nil, ErrBadPosition
		}
		vals := make([]any, len(cols))
		for i, s := range q.After {
			if integer[i] {
				n, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					return "", nil, ErrBadPosition
				}
				vals[i] = n
			} else {
				vals[i] = s
			}
		}
		cond, cargs := keysetCond(cols, desc, vals)
		from = from + ` AND ` + cond
		args = append(args, cargs...)
	}
	order := make([]string, len(cols))
	for i, c := range cols {
		order[i] = c
		if desc[i] {
			order[i] += ` DESC`
		}
	}
	args = append(args, q.Limit+1)
	return `SELECT ` + prefixed("a.", assetColumns) + ` FROM ` + from +
		` ORDER BY ` + strings.Join(order, `, `) + ` LIMIT ?`, args, nil
}

// keysetCond is the condition "after vals" in the order of cols: a row
// value comparison when every key goes the same way (which an index
// serves), else its expansion key by key.
func keysetCond(cols []string, desc []bool, vals []any) (string, []any) {
	same := true
	for _, d := range desc {
		same = same && d == desc[0]
	}
	if same {
		op := `>`
		if desc[0] {
			op = `<`
		}
		marks := strings.TrimSuffix(strings.Repeat(`?, `, len(cols)), `, `)
		return `(` + strings.Join(cols, `, `) + `) ` + op + ` (` + marks + `)`, vals
	}
	var ors []string
	var args []any
	for i := range cols {
		var ands []string
		for j := 0; j < i; j++ {
			ands = append(ands, cols[j]+` = ?`)
			args = append(args, vals[j])
		}
		op := ` > ?`
		if desc[i] {
			op = ` < ?`
		}
		ands = append(ands, cols[i]+op)
		args = append(args, vals[i])
		ors = append(ors, `(`+strings.Join(ands, ` AND `)+`)`)
	}
	return `(` + strings.Join(ors, ` OR `) + `)`, args
}

// searchFrom compiles the expression into what follows a search's FROM:
// the tables it reads (assets a, led by the rows of a tag or a context
// value when the expression requires one: see leadingTerm) and WHERE a
// condition on them, with the condition's parameters.
func searchFrom(q SearchQuery, d dialect) (string, []any, error) {
	c := &compiler{d: d, cloud: q.Cloud}
	from, rest := `assets a`, q.Expr
	var conds []string
	if drv, others, ok := leadingTerm(q.Expr); ok {
		rest = others
		switch {
		case drv.Words:
			rows, cond := c.wordsLead(drv)
			from = rows + ` ` + d.assetsOf(`d0.asset`)
			conds = append(conds, cond+`a.id = d0.asset`)
		case drv.Field == search.Metadata:
			rows, cond := c.metadataLead(drv)
			from = rows + ` ` + d.assetsOf(`d0.asset`)
			conds = append(conds, cond+`a.id = d0.asset`)
		case drv.Field == search.Tags:
			from = `asset_tags d0 ` + d.assetsOf(`d0.asset`)
			conds = append(conds, `d0.cloud = `+c.arg(q.Cloud)+` AND d0.tag = `+c.arg(drv.Value.Text)+` AND a.id = d0.asset`)
		default:
			from = `asset_context d0 ` + d.assetsOf(`d0.asset`)
			conds = append(conds, `d0.cloud = `+c.arg(q.Cloud)+` AND d0.key = `+c.arg(drv.Key)+` AND d0.value = `+
				c.arg(drv.Value.Text)+` AND a.id = d0.asset`)
		}
	}
	conds = append(conds, `a.cloud = `+c.arg(q.Cloud))
	if rest != nil {
		cond, err := c.node(rest)
		if err != nil {
			return "", nil, err
		}
		conds = append(conds, cond)
	}
	return from + ` WHERE ` + strings.Join(conds, ` AND `), c.args, nil
}

// leadingTerm finds a term every match must satisfy that names few assets
// through an index of its own: an exact tag, context value or metadata
// value or one word (search_tokens.go), else a metadata comparison, range
// or prefix (compiler.metadataLead) or words term (compiler.wordsLead), alone or among the expression's top-level ANDs. Its rows lead the
// query (dialect.assetsOf) instead of a walk through
// every asset of the cloud in the page's order that tests each; others is
// what remains of the expression (nil: nothing). One row per asset at
// most: an asset has a tag once, a context key once, and a metadata
// term's rows are made so.
func leadingTerm(n search.Node) (search.Term, search.Node, bool) {
	var nodes []search.Node
	switch n := n.(type) {
	case search.Term:
		nodes = []search.Node{n}
	case search.And:
		nodes = n.Nodes
	default:
		return search.Term{}, nil, false
	}
	// First an exact value (a tag, a context value, a metadata value, one
	// word), then any metadata comparison or words term.
	for _, exact := range []bool{true, false} {
		for i, x := range nodes {
			t, ok := x.(search.Term)
			if !ok || !leads(t, exact) {
				continue
			}
			others := append(append([]search.Node(nil), nodes[:i]...), nodes[i+1:]...)
			switch len(others) {
			case 0:
				return t, nil, true
			case 1:
				return t, others[0], true
			}
			return t, search.And{Nodes: others}, true
		}
	}
	return search.Term{}, nil, false
}

// leads reports whether a term can lead a search (leadingTerm): in the
// first pass (exact) an exact tag, context value or metadata value, or
// one word (of a field or any); in the second any metadata term or words
// term too.
func leads(t search.Term, exact bool) bool {
	switch {
	case t.Words:
		return !exact || !t.Value.Prefix && len(search.Words(t.Value.Text)) == 1
	case t.Field == search.Metadata:
		return !exact || !t.Value.Prefix && t.Op == search.Eq
	case t.Field == search.Tags, t.Field == search.Context:
		return !t.Value.Prefix
	}
	return false
}

type compiler struct {
	d     dialect
	cloud string
	args  []any
}

func (c *compiler) arg(v any) string { c.args = append(c.args, v); return `?` }

func (c *compiler) node(n search.Node) (string, error) {
	switch n := n.(type) {
	case search.And:
		return c.list(n.Nodes, ` AND `)
	case search.Or:
		return c.list(n.Nodes, ` OR `)
	case search.Not:
		s, err := c.node(n.Node)
		if err != nil {
			return "", err
		}
		return `NOT ` + s, nil
	case search.Term:
		return c.term(n)
	}
	return "", fmt.Errorf("meta: search: node %T", n)
}

func (c *compiler) list(nodes []search.Node, sep string) (string, error) {
	parts := make([]string, len(nodes))
	for i, n := range nodes {
		var err error
		if parts[i], err = c.node(n); err != nil {
			return "", err
		}
	}
	return `(` + strings.Join(parts, sep) + `)`, nil
}

// textColumns are the text fields that are columns of assets.
var textColumns = map[search.Field]string{
	search.PublicID: `a.public_id`, search.AssetID: `a.asset_id`, search.AssetFolder: `a.asset_folder`,
	search.DisplayName: `a.display_name`, search.ResourceType: `a.resource_type`, search.Type: `a.type`,
	search.Format: `a.format`, search.ModerationStatus: `a.moderation_status`, search.AccessMode: `a.access_mode`,
}

// integerColumns are the number fields whose values are integers.
var integerColumns = map[search.Field]string{
	search.Bytes: `a.bytes`, search.Width: `a.width`, search.Height: `a.height`, search.Pages: `a.pages`,
	search.Pixels: `(a.width * a.height)`,
}

func (c *compiler) term(t search.Term) (string, error) {
	if t.Words {
		return c.words(t), nil
	}
	if col, ok := textColumns[t.Field]; ok {
		return c.match(col, t.Value), nil
	}
	if col, ok := integerColumns[t.Field]; ok {
		return c.integers(col, t), nil
	}
	switch t.Field {
	case search.Tags:
		return `a.id IN (SELECT t.asset FROM asset_tags t WHERE t.cloud = ` + c.arg(c.cloud) + ` AND ` +
			c.match(`t.tag`, t.Value) + `)`, nil
	case search.Context:
		return `a.id IN (SELECT x.asset FROM asset_context x WHERE x.cloud = ` + c.arg(c.cloud) + ` AND x.key = ` +
			c.arg(t.Key) + ` AND ` + c.match(`x.value`, t.Value) + `)`, nil
	case search.Metadata:
		return c.metadata(t), nil
	case search.Folder:
		return c.folder(t.Value), nil
	case search.Filename:
		if t.Value.Prefix {
			return "", &search.Error{Pos: t.Pos, Msg: "filename takes no wildcard (search public_id:<prefix>* instead)"}
		}
		suffix := "/" + t.Value.Text
		return `(a.public_id = ` + c.arg(t.Value.Text) + ` OR ` + c.d.suffix(`a.public_id`, utf8.RuneCountInString(suffix)) +
			` = ` + c.arg(suffix) + `)`, nil
	case search.Status:
		// Every stored asset is active (deleted ones are gone).
		if t.Value.Text == "active" || t.Value.Prefix && strings.HasPrefix("active", t.Value.Text) {
			return `1 = 1`, nil
		}
		return `1 = 0`, nil
	case search.Duration:
		// No asset has a duration the store keeps: every one counts as 0.
		if constCompare(0, t) {
			return `1 = 1`, nil
		}
		return `1 = 0`, nil
	case search.AspectRatio:
		return c.ratio(t), nil
	case search.CreatedAt:
		return c.times(`a.created_at`, t, func(v search.Value) int64 { return v.Time.UnixNano() }), nil
	case search.UploadedAt:
		return c.times(`a.version`, t, func(v search.Value) int64 { return v.Time.Unix() }), nil
	}
	return "", &search.Error{Pos: t.Pos, Msg: "unsupported field " + string(t.Field)}
}

// match is a text comparison: equal, or within the prefix's range.
func (c *compiler) match(col string, v search.Value) string {
	if !v.Prefix {
		return col + ` = ` + c.arg(v.Text)
	}
	return c.prefix(col, v.Text)
}

func (c *compiler) prefix(col, p string) string {
	if p == "" {
		return `1 = 1`
	}
	s := `(` + col + ` >= ` + c.arg(p)
	if end, ok := c.d.prefixEnd(p); ok {
		s += ` AND ` + col + ` < ` + c.arg(end)
	}
	return s + `)`
}

// folder matches a public ID's folder: exactly (folder:a/b), or a folder
// and its descendants (folder:a/b/*), or folders starting with a prefix.
func (c *compiler) folder(v search.Value) string {
	f := strings.Trim(v.Text, "/")
	switch {
	case v.Prefix && strings.HasSuffix(v.Text, "/"):
		if f == "" {
			return `1 = 1`
		}
		return c.prefix(`a.public_id`, f+"/")
	case v.Prefix:
		// a folder whose name starts with f: a / after the prefix.
		return `(` + c.prefix(`a.public_id`, f) + ` AND ` +
			c.d.contains(`substr(a.public_id, `+strconv.Itoa(utf8.RuneCountInString(f)+1)+`)`) + c.argText("/") + `)`
	case f == "":
		return `NOT ` + c.d.contains(`a.public_id`) + c.argText("/")
	}
	// in f itself: no / after f/.
	return `(` + c.prefix(`a.public_id`, f+"/") + ` AND NOT ` +
		c.d.contains(`substr(a.public_id, `+strconv.Itoa(utf8.RuneCountInString(f)+2)+`)`) + c.argText("/") + `)`
}

// argText adds a parameter and returns nothing: for conditions whose
// placeholder the dialect wrote.
func (c *compiler) argText(v string) string { c.args = append(c.args, v); return `` }

// integers compares an integer column with a number, rounding the
// number's bounds inwards.
func (c *compiler) integers(col string, t search.Term) string {
	lo := func(v search.Value, incl bool) string { // col above v
		if incl {
			return col + ` >= ` + c.arg(clampInt(math.Ceil(v.Num)))
		}
		return col + ` > ` + c.arg(clampInt(math.Floor(v.Num)))
	}
	hi := func(v search.Value, incl bool) string { // col below v
		if incl {
			return col + ` <= ` + c.arg(clampInt(math.Floor(v.Num)))
		}
		return col + ` < ` + c.arg(clampInt(math.Ceil(v.Num)))
	}
	switch t.Op {
	case search.Eq:
		if t.Value.Num != math.Trunc(t.Value.Num) {
			return `1 = 0`
		}
		return col + ` = ` + c.arg(clampInt(t.Value.Num))
	case search.Gt:
		return lo(t.Value, false)
	case search.Ge:
		return lo(t.Value, true)
	case search.Lt:
		return hi(t.Value, false)
	case search.Le:
		return hi(t.Value, true)
	}
	var parts []string
	if !t.Value.Open {
		parts = append(parts, lo(t.Value, t.LowIncl))
	}
	if !t.High.Open {
		parts = append(parts, hi(t.High, t.HighIncl))
	}
	if len(parts) == 0 {
		return `1 = 1`
	}
	return `(` + strings.Join(parts, ` AND `) + `)`
}

func clampInt(f float64) int64 {
	switch {
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}

// ratioTolerance is how near an aspect ratio must be to equal a value
// (16:9 is 1.777...).
const ratioTolerance = 0.001

func (c *compiler) ratio(t search.Term) string {
	col := `(CAST(a.width AS DOUBLE PRECISION) / NULLIF(a.height, 0))`
	f := func(op string, v float64) string {
		return col + ` ` + op + ` CAST(` + c.arg(v) + ` AS DOUBLE PRECISION)`
	}
	switch t.Op {
	case search.Eq:
		return `(` + f(`>=`, t.Value.Num-ratioTolerance) + ` AND ` + f(`<=`, t.Value.Num+ratioTolerance) + `)`
	case search.Gt:
		return f(`>`, t.Value.Num)
	case search.Ge:
		return f(`>=`, t.Value.Num)
	case search.Lt:
		return f(`<`, t.Value.Num)
	case search.Le:
		return f(`<=`, t.Value.Num)
	}
	parts := []string{`1 = 1`}
	if !t.Value.Open {
		parts = append(parts, f(map[bool]string{true: `>=`, false: `>`}[t.LowIncl], t.Value.Num))
	}
	if !t.High.Open {
		parts = append(parts, f(map[bool]string{true: `<=`, false: `<`}[t.HighIncl], t.High.Num))
	}
	return `(` + strings.Join(parts, ` AND `) + `)`
}

// times compares a time column (at) with dates.
func (c *compiler) times(col string, t search.Term, at func(search.Value) int64) string {
	op := map[search.Op]string{search.Eq: `=`, search.Lt: `<`, search.Le: `<=`, search.Gt: `>`, search.Ge: `>=`}
	if t.Op != search.InRange {
		return col + ` ` + op[t.Op] + ` ` + c.arg(at(t.Value))
	}
	parts := []string{}
	if !t.Value.Open {
		parts = append(parts, col+map[bool]string{true: ` >= `, false: ` > `}[t.LowIncl]+c.arg(at(t.Value)))
	}
	if !t.High.Open {
		parts = append(parts, col+map[bool]string{true: ` <= `, false: ` < `}[t.HighIncl]+c.arg(at(t.High)))
	}
	if len(parts) == 0 {
		return `1 = 1`
	}
	return `(` + strings.Join(parts, ` AND `) + `)`
}

// constCompare compares a constant with a number term.
func constCompare(x float64, t search.Term) bool {
	v := t.Value.Num
	switch t.Op {
	case search.Eq:
		return x == v
	case search.Lt:
		return x < v
	case search.Le:
		return x <= v
	case search.Gt:
		return x > v
	case search.Ge:
		return x >= v
	}
	lo := t.Value.Open || x > t.Value.Num || t.LowIncl && x == t.Value.Num
	hi := t.High.Open || x < t.High.Num || t.HighIncl && x == t.High.Num
	return lo && hi
}
