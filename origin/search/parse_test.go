package search

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

// show prints a tree compactly, for comparing.
func show(n Node) string {
	switch n := n.(type) {
	case nil:
		return "ALL"
	case And:
		return "(" + join(n.Nodes, " AND ") + ")"
	case Or:
		return "(" + join(n.Nodes, " OR ") + ")"
	case Not:
		return "NOT " + show(n.Node)
	case Term:
		f := string(n.Field)
		if n.Key != "" {
			f += "." + n.Key
		}
		op := map[Op]string{Eq: "=", Lt: "<", Le: "<=", Gt: ">", Ge: ">="}[n.Op]
		if n.Words {
			op = ":" // words of the value
		}
		if n.Op == InRange {
			lo, hi := "{", "}"
			if n.LowIncl {
				lo = "["
			}
			if n.HighIncl {
				hi = "]"
			}
			return f + lo + showValue(n.Kind, n.Value) + " TO " + showValue(n.Kind, n.High) + hi
		}
		return f + op + showValue(n.Kind, n.Value)
	}
	return "?"
}

func showValue(k Kind, v Value) string {
	switch {
	case v.Open:
		return "*"
	case k == Number:
		return fmt.Sprint(v.Num)
	case k == Date:
		return v.Time.Format(time.RFC3339)
	case v.Prefix:
		return fmt.Sprintf("%q*", v.Text)
	}
	return fmt.Sprintf("%q", v.Text)
}

func join(ns []Node, sep string) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = show(n)
	}
	return strings.Join(s, sep)
}

// TestParse covers the expression forms of Cloudinary's Search API
// documentation (search expressions, the search method's examples).
func TestParse(t *testing.T) {
	for _, c := range []struct{ expr, want string }{
		{"", "ALL"},
		{"   ", "ALL"},
		{"tags:shirt", `tags:"shirt"`},
		{"tags=shirt", `tags="shirt"`},
		{"tag:shirt", `tags:"shirt"`},
		// Free text and words (: on public_id, filename, display_name,
		// tags, context; = the whole value).
		{"cat AND tags:kitten", `(*:"cat" AND tags:"kitten")`},
		{"cat", `*:"cat"`},
		{`"blue shoes" -red`, `(*:"blue shoes" AND NOT *:"red")`},
		{"sho* OR boot", `(*:"sho"* OR *:"boot")`},
		{"sh* OR tags:ét*", `(*:"sh"* OR tags:"ét"*)`},
		{"public_id:shoes", `public_id:"shoes"`},
		{"public_id=shoes", `public_id="shoes"`},
		{"public_id:Shoe*", `public_id:"Shoe"*`},
		{`public_id:"my pics/*"`, `public_id="my pics/"*`},
		{"public_id:a/*", `public_id="a/"*`},
		{`tags:"-"`, `tags="-"`},
		{"display_name:(red OR blue) format:png", `((display_name:"red" OR display_name:"blue") AND format="png")`},
		{"format:png", `format="png"`},
		{"asset_folder:shoes", `asset_folder="shoes"`},
		{`tags:"long pants"`, `tags:"long pants"`},
		{`tags:long\ pants`, `tags:"long pants"`},
		{`context.product:"shirt:blue"`, `context.product:"shirt:blue"`},
		{`context.activity:"watched \"Inside Out\" and rated it a 5 \*"`, `context.activity:"watched \"Inside Out\" and rated it a 5 *"`},
		{`tags:\~shirt`, `tags:"~shirt"`},
		{"resource_type:image AND format:jpg", `(resource_type="image" AND format="jpg")`},
		{"resource_type:image format:jpg", `(resource_type="image" AND format="jpg")`},
		{"resource_type:image && format:jpg", `(resource_type="image" AND format="jpg")`},
		{"format:jpg OR format:png", `(format="jpg" OR format="png")`},
		{"format:jpg || format:png", `(format="jpg" OR format="png")`},
		{"tags:shirt AND NOT tags:sale", `(tags:"shirt" AND NOT tags:"sale")`},
		{"tags:shirt -tags:sale", `(tags:"shirt" AND NOT tags:"sale")`},
		{"tags:shirt !tags:sale", `(tags:"shirt" AND NOT tags:"sale")`},
		{"(tags:shirt OR tags:pants) AND format:png", `((tags:"shirt" OR tags:"pants") AND format="png")`},
		{"tags:(shirt OR pants)", `(tags:"shirt" OR tags:"pants")`},
		{"tags:(shirt pants)", `(tags:"shirt" AND tags:"pants")`},
		{"public_id:sample*", `public_id:"sample"*`},
		{"public_id:products/shoes/*", `public_id="products/shoes/"*`},
		{"folder:products/*", `folder="products/"*`},
		{"folder:products", `folder="products"`},
		{`folder="my folder/sub"`, `folder="my folder/sub"`},
		{`public_id:"a\*b"`, `public_id:"a*b"`},
		{`public_id:"my pics/*"`, `public_id="my pics/"*`},
		{"bytes>100000", "bytes>100000"},
		{"bytes:>100000", "bytes>100000"},
		{"bytes>1mb", "bytes>1.048576e+06"},
		{"bytes<=10kb", "bytes<=10240"},
		{"bytes>1m", "bytes>1.048576e+06"},
		{"bytes<2K", "bytes<2048"},
		{"bytes:[1g TO *]", "bytes[1.073741824e+09 TO *]"},
		{"width>=200 AND height<300", "(width>=200 AND height<300)"},
		{"bytes:[1000 TO 5000]", "bytes[1000 TO 5000]"},
		{"bytes:{1000 TO 5000}", "bytes{1000 TO 5000}"},
		{"bytes:[1000 TO 5000}", "bytes[1000 TO 5000}"},
		{"bytes:[1000 TO *]", "bytes[1000 TO *]"},
		{"pixels>1000000", "pixels>1e+06"},
		{`aspect_ratio="16:9"`, "aspect_ratio=1.7777777777777777"},
		{`aspect_ratio=16\:9`, "aspect_ratio=1.7777777777777777"},
		{"aspect_ratio>1.5", "aspect_ratio>1.5"},
		{"duration:[10 TO 30]", "duration[10 TO 30]"},
		{"pages>1", "pages>1"},
		{"created_at>1d", "created_at>2026-12-05T12:00:00Z"},
		{"uploaded_at>2w", "uploaded_at>2026-11-22T12:00:00Z"},
		{"created_at<3m", "created_at<2026-09-06T12:00:00Z"},
		{"created_at>1y", "created_at>2025-12-06T12:00:00Z"},
		{"created_at>12h", "created_at>2026-12-06T00:00:00Z"},
		{"created_at:1d", "created_at>=2026-12-05T12:00:00Z"},
		{"created_at>2022-01-01", "created_at>2022-01-01T00:00:00Z"},
		{`created_at>"2022-01-01T10:00:00Z"`, "created_at>2022-01-01T10:00:00Z"},
		{"created_at:2022-01-01", "created_at[2022-01-01T00:00:00Z TO 2022-01-02T00:00:00Z}"},
		{"created_at:[2022-01-01 TO 2022-02-01]", "created_at[2022-01-01T00:00:00Z TO 2022-02-01T00:00:00Z]"},
		{"created_at:[4w TO 1w]", "created_at[2026-11-08T12:00:00Z TO 2026-11-29T12:00:00Z]"},
		{"moderation_status:pending", `moderation_status="pending"`},
		{"access_mode:authenticated", `access_mode="authenticated"`},
		{"status:active", `status="active"`},
		{"type:private", `type="private"`},
		{"asset_id=0123456789abcdef0123456789abcdef", `asset_id="0123456789abcdef0123456789abcdef"`},
		{"display_name:cat* filename:dog", `(display_name:"cat"* AND filename:"dog")`},
		{"asset_folder:a/b", `asset_folder="a/b"`},
		{"NOT NOT tags:a", `NOT NOT tags:"a"`},
		{"tags:a AND (format:png OR (width>10 AND NOT height<5))", `(tags:"a" AND (format="png" OR (width>10 AND NOT height<5)))`},
	} {
		n, err := Parse(c.expr, now)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.expr, err)
			continue
		}
		if got := show(n); got != c.want {
			t.Errorf("Parse(%q) = %s, want %s", c.expr, got, c.want)
		}
	}
}

// testMetadata are the metadata fields of TestParseMetadata.
var testMetadata = MetadataKinds{"title": Text, "color": Text, "rating": Number, "shot": Date, "caption": TextWords}

// TestParseMetadata covers metadata.<external_id> terms: each compares
// as its field's type (a string field's : its words), and a name that is
// no field is refused.
func TestParseMetadata(t *testing.T) {
	for _, c := range []struct{ expr, want string }{
		{"metadata.title:Cats", `metadata.title="Cats"`},
		{`metadata.title="big cat"`, `metadata.title="big cat"`},
		{"metadata.title:ca*", `metadata.title="ca"*`},
		{"metadata.color:(red_id OR blue_id)", `(metadata.color="red_id" OR metadata.color="blue_id")`},
		{"metadata.rating>3", "metadata.rating>3"},
		{"metadata.rating:[2 TO 4}", "metadata.rating[2 TO 4}"},
		{"metadata.shot:2024-05-31", "metadata.shot[2024-05-31T00:00:00Z TO 2024-06-01T00:00:00Z}"},
		{"metadata.shot>1w", "metadata.shot>2026-11-29T12:00:00Z"},
		{"tags:a AND NOT metadata.rating<=1", `(tags:"a" AND NOT metadata.rating<=1)`},
		{"metadata.caption:Whale", `metadata.caption:"Whale"`},
		{"metadata.caption:wha*", `metadata.caption:"wha"*`},
		{`metadata.caption:"blue whale"`, `metadata.caption:"blue whale"`},
		{`metadata.caption="Blue Whale"`, `metadata.caption="Blue Whale"`},
		{"metadata.caption:(whale OR seal)", `(metadata.caption:"whale" OR metadata.caption:"seal")`},
		{`metadata.caption:"--"`, `metadata.caption="--"`},
		{`metadata.caption:"my pics/*"`, `metadata.caption="my pics/"*`},
	} {
		n, err := ParseWith(c.expr, now, testMetadata)
		if err != nil {
			t.Errorf("ParseWith(%q): %v", c.expr, err)
			continue
		}
		if got := show(n); got != c.want {
			t.Errorf("ParseWith(%q) = %s, want %s", c.expr, got, c.want)
		}
	}
	for _, c := range []struct {
		expr string
		pos  int
		msg  string
	}{
		{"metadata.colour:red", 0, "unknown metadata field metadata.colour"},
		{"metadata.title>a", 0, "metadata.title compares only with : or ="},
		{"metadata.title:[a TO b]", 15, "metadata.title takes no range"},
		{"metadata.caption<a", 0, "metadata.caption compares only with : or ="},
		{"metadata.caption:[a TO b]", 17, "metadata.caption takes no range"},
		{"metadata.caption:a1\\ b2\\ c3\\ d4\\ e5\\ f6\\ g7\\ h8\\ i9", 17, "more than 8 words"},
		{"metadata.rating:many", 16, `invalid number for metadata.rating: "many"`},
		{"metadata.rating:4*", 16, "metadata.rating takes no wildcard"},
		{"metadata.shot<soon", 14, "invalid date for metadata.shot"},
	} {
		_, err := ParseWith(c.expr, now, testMetadata)
		var e *Error
		if !errors.As(err, &e) || e.Pos != c.pos || !strings.Contains(e.Msg, c.msg) {
			t.Errorf("ParseWith(%q) = %v, want at %d: %s", c.expr, err, c.pos, c.msg)
		}
	}
}

// TestParseFolders covers the Search Folders API's fields, and refuses
// the assets' fields there.
func TestParseFolders(t *testing.T) {
	for _, c := range []struct{ expr, want string }{
		{"name:shoes", `name="shoes"`},
		{"path=products/shoes", `path="products/shoes"`},
		{"path:products/*", `path="products/"*`},
		{"id:abc OR external_id:def", `(external_id="abc" OR external_id="def")`},
		{"name:sh* AND created_at>1d", `(name="sh"* AND created_at>2026-12-05T12:00:00Z)`},
	} {
		n, err := ParseFolders(c.expr, now)
		if err != nil {
			t.Errorf("ParseFolders(%q): %v", c.expr, err)
			continue
		}
		if got := show(n); got != c.want {
			t.Errorf("ParseFolders(%q) = %s, want %s", c.expr, got, c.want)
		}
	}
	for _, c := range []struct {
		expr string
		pos  int
		msg  string
	}{
		{"name:a AND tags:x", 11, "unsupported field tags (folders are searched by name, path, external_id and created_at)"},
		{"name>a", 0, "name compares only with : or ="},
		{"created_at:soon", 11, "invalid date for created_at"},
	} {
		_, err := ParseFolders(c.expr, now)
		var e *Error
		if !errors.As(err, &e) || e.Pos != c.pos || !strings.Contains(e.Msg, c.msg) {
			t.Errorf("ParseFolders(%q) = %v, want at %d: %s", c.expr, err, c.pos, c.msg)
		}
	}
	if _, err := Parse("name:a", now); err == nil {
		t.Errorf("name is no field of assets")
	}
	if _, err := ParseFolders("cat", now); err == nil || !strings.Contains(err.Error(), `term "cat" has no field`) {
		t.Errorf("ParseFolders(cat) = %v, want no free text", err)
	}
}

// TestParseErrors checks refusals and their positions.
func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		expr string
		pos  int
		msg  string
	}{
		{"tags:a AND \"--\"", 11, `quoted term "--" has no word to search (letters or digits)`},
		{"format:png -", 11, `term "-" has no word to search`},
		{"tags:a *", 7, "a wildcard * needs a prefix"},
		{"tags:a a.b.c.d.e.f.g.h.i", 7, `term "a.b.c.d.e.f.g.h.i" has more than 8 words`},
		{"width>5 public_id:\"a b c d e f g h i\"", 18, "has more than 8 words"},
		{"cat : dog", 4, `unexpected ":"`},
		{"tags:shirt AND", 14, "unexpected end of expression"},
		{"tags:shirt AND metadata.color:red", 15, `unknown metadata field metadata.color (no structured metadata field has the external ID "color")`},
		{"metadata.:red", 0, "unknown metadata field metadata."},
		{"colour:red", 0, "unsupported field colour"},
		{"context.:x", 0, "context needs a key"},
		{"(tags:a", 7, "expected ) to close the ( at 0"},
		{"tags:a)", 6, `unexpected ")"`},
		{`tags:"open`, 5, "unterminated quoted term"},
		{"tags:sh*rt", 7, "wildcard * is only supported at the end"},
		{`tags:"sh*rt"`, 8, "wildcard * is only supported at the end"},
		{"tags:*", 5, "needs a prefix"},
		{"a*", 0, `prefix "a*" is too short - a word prefix needs at least 2 letters or digits before *`},
		{"tags:x AND public_id:é*", 21, `prefix "é*" is too short`},
		{`tags:x "blue s*"`, 7, `prefix "blue s*" is too short`},
		{"tags>5", 0, "tags compares only with : or ="},
		{"public_id:[a TO b]", 10, "public_id takes no range"},
		{"bytes>lots", 6, `invalid number for bytes: "lots"`},
		{"bytes>5*", 6, "bytes takes no wildcard"},
		{"created_at>yesterday", 11, "invalid date for created_at"},
		{"bytes:[1 5]", 9, "expected TO in the range"},
		{"bytes:[1 TO 5", 13, "expected ] or } to close the range"},
		{"bytes:[1 TO 5] tags:x AND", 25, "unexpected end"},
		{"tags:", 5, "expected a value for tags"},
		{"tags:a~", 6, "unsupported character"},
		{`tags:a\`, 6, "a backslash ends the expression"},
		{"aspect_ratio:16:9", 15, `unexpected ":"`},
		{"tags:(a OR", 10, "unexpected end of expression"},
		{"width>(5)", 6, "a group of values needs : or ="},
		{strings.Repeat("(", 100) + "tags:a" + strings.Repeat(")", 100), 65, "nested too deeply"},
	} {
		_, err := Parse(c.expr, now)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%q) = %v, want an error at %d", c.expr, err, c.pos)
			continue
		}
		if e.Pos != c.pos || !strings.Contains(e.Msg, c.msg) {
			t.Errorf("Parse(%q) = %v, want at %d: %s", c.expr, err, c.pos, c.msg)
		}
		if !strings.HasPrefix(err.Error(), fmt.Sprintf("Search expression error at %d: ", c.pos)) {
			t.Errorf("Parse(%q): message %q", c.expr, err)
		}
	}
}

// FuzzParse checks that Parse never panics, and that every error has a
// position within the expression.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"tags:shirt AND format:jpg", `context.k:"a \"b\" *"`, "bytes:[1 TO 5}",
		"created_at>1d", "(a:b OR NOT -c:d)", "public_id:x*", "tags:(a OR b)", `aspect_ratio="16:9"`, "{[(]})",
		`\`, `"`, "&&||!-", "metadata.x:1", "metadata.rating:[1 TO *]", "metadata.shot:2024-01-01",
		"cat AND tags:kitten", `"Blue_Shoes été" sho* -public_id:x`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, err := ParseWith(s, now, testMetadata)
		var e *Error
		if err != nil && (!errors.As(err, &e) || e.Pos < 0 || e.Pos > max(len(s), maxLength)) {
			t.Fatalf("Parse(%q): %v", s, err)
		}
	})
}

// Cloudinary's Search API reference opens with this expression.
func TestParseCloudinaryQuickExample(t *testing.T) {
	if _, err := Parse("resource_type:image AND tags=kitten AND uploaded_at>1d AND bytes>1m", time.Now()); err != nil {
		t.Fatal(err)
	}
}
