package api

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
)

// Indexed array parameters are signed in the order they were sent: the
// Go SDK sends public_ids[0], public_ids[1], … and signs a,b,missing.
// (The keys used to be gathered from a map, so the order, and with it the
// signature, changed from one request to the next.)
func TestStringToSignKeepsArrayOrder(t *testing.T) {
	for range 50 {
		p := newParams()
		for _, kv := range [][2]string{{"command", "add"}, {"public_ids[0]", "a"}, {"public_ids[1]", "b"},
			{"public_ids[2]", "missing"}, {"tag", "cat"}, {"timestamp", "1795509525"}, {"api_key", "k"}} {
			p.add(kv[0], kv[1])
		}
		const want = "command=add&public_ids=a,b,missing&tag=cat&timestamp=1795509525"
		if got := p.stringToSign(false); got != want {
			t.Fatalf("string to sign %q, want %q", got, want)
		}
	}
}

// readBody reads a request body of content type ct with a bodyReader that
// spools the file (under t's temporary directory) with fileLimit.
func readBody(t *testing.T, ct, body string, fileLimit int64) (*Params, error) {
	t.Helper()
	spool, err := NewSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/?q=1", strings.NewReader(body))
	if ct != "" {
		r.Header.Set("Content-Type", ct)
	}
	b := &bodyReader{p: newParams(), budget: MaxUploadFieldsBytes, spool: spool, fileLimit: fileLimit}
	err = b.read(r)
	t.Cleanup(b.p.Close)
	return b.p, err
}

// The streaming readers give every encoding's fields and file as they
// were sent: escapes decoded, arrays in order, the file on disk.
func TestBodyReaders(t *testing.T) {
	const ctForm = "application/x-www-form-urlencoded"
	for _, c := range []struct {
		name, ct, body string
		vals           map[string][]string
		file           string
	}{
		{"form", ctForm, "a=1+2&b=%26%3D&tags[]=x&tags[]=y&empty=&bare&file=data%3A%2C%25+x&z=9\n",
			map[string][]string{"q": {"1"}, "a": {"1 2"}, "b": {"&="}, "tags": {"x", "y"}, "empty": {""}, "bare": {""}, "z": {"9"}},
			"data:,% x"},
		{"form, file last", ctForm, "a=1&file=abc%2",
			nil, ""},
		{"json", "application/json", ` { "a" : "x\"y\u00e9\ud83d\ude00" , "n": 12.5, "b": true, "nil": null,
			"arr": ["p", 2], "ctx": {"k": "v|w", "j": 1}, "file": "d\u0061ta:,\/\ud800x" } trailing`,
			map[string][]string{"q": {"1"}, "a": {"x\"yé😀"}, "n": {"12.5"}, "b": {"true"}, "nil": {""}, "arr": {"p", "2"},
				"ctx": {`j=1|k=v\|w`}}, "data:,/\uFFFDx"},
		{"json, duplicate key keeps the last", "application/json", `{"a": "1", "a": "2", "file": 3}`,
			map[string][]string{"q": {"1"}, "a": {"2"}, "file": {"3"}}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := readBody(t, c.ct, c.body, 1<<20)
			if c.vals == nil {
				if err == nil {
					t.Fatalf("accepted: %v", p.vals)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p.vals, c.vals) {
				t.Errorf("fields %q, want %q", p.vals, c.vals)
			}
			got := ""
			if p.file != nil {
				got = p.file.Text()
			}
			if got != c.file || (c.file != "") != p.fileText {
				t.Errorf("file %q (text %v), want %q", got, p.fileText, c.file)
			}
		})
	}
}

// Every read is bounded: fields past their budget, a field past its
// length, a file past its limit, part headers past theirs.
func TestBodyReaderBounds(t *testing.T) {
	many := strings.Repeat("a=&", MaxUploadFieldsBytes/fieldOverhead)
	var mp strings.Builder
	mp.WriteString("--b\r\nContent-Disposition: form-data; name=\"x\"\r\n")
	mp.WriteString("X-Pad: " + strings.Repeat("p", maxPartHeaderBytes) + "\r\n\r\nv\r\n--b--\r\n")
	for _, c := range []struct{ name, ct, body, msg string }{
		{"many tiny fields", "application/x-www-form-urlencoded", many, "Request parameters are too large"},
		{"long field", "application/x-www-form-urlencoded", "a=" + strings.Repeat("x", MaxFieldBytes+1), "Parameter a is too long"},
		{"json array of many tiny values", "application/json", `{"a": [` + strings.Repeat("1,", MaxUploadFieldsBytes/fieldOverhead) + `1]}`,
			"Request parameters are too large"},
		{"long json field", "application/json", `{"a": "` + strings.Repeat("x", MaxFieldBytes+1) + `"}`, "Parameter a is too long"},
		{"file text too long", "application/x-www-form-urlencoded", "file=" + strings.Repeat("x", 4<<10), "Parameter file is too long"},
		{"file given twice", "application/x-www-form-urlencoded", "file=a&file=b", "Parameter file is given more than once"},
		{"part headers", "multipart/form-data; boundary=b", mp.String(), "Malformed multipart request: part headers are too large"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := readBody(t, c.ct, c.body, 1<<10)
			var ae *delivery.Error
			if !errors.As(err, &ae) || ae.Message != c.msg {
				t.Fatalf("got %v, want %q", err, c.msg)
			}
		})
	}
}

// x[N] fields may arrive in any order (the Go SDK writes a multipart
// body's fields from a map): the values are read in the order of N, and
// signed in the order the SDK signs them, of their keys as text (x[10]
// before x[2]).
func TestIndexedArraysInAnyOrder(t *testing.T) {
	keys := []string{"ids[2]", "ids[10]", "ids[0]", "ids[11]", "ids[1]", "ids[3]", "ids[4]", "ids[5]", "ids[6]",
		"ids[7]", "ids[8]", "ids[9]"}
	p := newParams()
	for _, k := range keys {
		p.add(k, "v"+k[4:len(k)-1])
	}
	p.add("timestamp", "1")
	p.settle()
	want := []string{"v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11"}
	if got := p.Values("ids"); !reflect.DeepEqual(got, want) {
		t.Errorf("values %v, want %v", got, want)
	}
	const sign = "ids=v0,v10,v11,v1,v2,v3,v4,v5,v6,v7,v8,v9&timestamp=1" // "[10]" < "[1]": 0 < ]
	if got := p.stringToSign(false); got != sign {
		t.Errorf("string to sign %q, want %q", got, sign)
	}
	// x[] keeps the order it came in.
	q := newParams()
	for _, v := range []string{"b", "a", "c"} {
		q.add("tags[]", v)
	}
	q.settle()
	if got := q.Values("tags"); !reflect.DeepEqual(got, []string{"b", "a", "c"}) || q.stringToSign(false) != "tags=b,a,c" {
		t.Errorf("tags[]: %v %q", got, q.stringToSign(false))
	}
}

// Values without an index come after every indexed value, however large
// its N, and a bare x after indexed ones does not leave them unordered.
func TestIndexedArraysUnindexedLast(t *testing.T) {
	p := newParams()
	p.add("ids[]", "last")
	p.add("ids[99]", "b")
	p.add("ids[7]", "a")
	p.settle()
	if got := p.Values("ids"); !reflect.DeepEqual(got, []string{"a", "b", "last"}) {
		t.Errorf("ids %v, want [a b last]", got)
	}
	q := newParams()
	q.add("ids[1]", "b")
	q.add("ids[0]", "a")
	q.add("ids", "c")
	q.settle()
	if got := q.Values("ids"); !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Errorf("ids %v, want [a b c]", got)
	}
}
