package origin_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/config"
)

// The asset page and the metadata fields' UI flags: a readonly_ui field
// is shown, not editable, and a crafted form does not change it (the API
// still does); an enum or set field with allow_dynamic_list_values
// offers "add a value", which adds a datasource entry through the Admin
// API (its bounds) and sets it on the asset; a field without the flag has
// no such control and a crafted form is refused.
func TestConsoleMetadataFlags(t *testing.T) {
	o := startOriginWith(t, nil, nil, config.Cloud{APIKey: apiKey, APISecret: apiSecret})
	for _, f := range []string{
		`{"type":"string","external_id":"code","label":"Code","restrictions":{"readonly_ui":true}}`,
		`{"type":"set","external_id":"topics","label":"Topics","allow_dynamic_list_values":true,
			"datasource":{"values":[{"external_id":"a","value":"Alpha"},{"external_id":"old","value":"Old","state":"inactive"}]}}`,
		`{"type":"enum","external_id":"mood","label":"Mood","allow_dynamic_list_values":true,
			"datasource":{"values":[{"external_id":"calm","value":"Calm"}]}}`,
		`{"type":"enum","external_id":"plain","label":"Plain","datasource":{"values":[{"external_id":"p","value":"P"}]}}`,
	} {
		if a := adminDo(t, o, http.MethodPost, "metadata_fields", "application/json", f); a.status != http.StatusOK {
			t.Fatalf("metadata field: %d %s", a.status, a.raw)
		}
	}
	uploadAs(t, o, "rocket.jpg", "pic")
	if a := adminDo(t, o, http.MethodPost, "resources/image/upload/pic", "application/json",
		`{"metadata":{"code":"X-1","topics":["a"]}}`); a.status != http.StatusOK {
		t.Fatalf("the API sets a readonly_ui field: %d %s", a.status, a.raw)
	}
	metadata := func() string {
		t.Helper()
		var d struct {
			Metadata map[string]any `json:"metadata"`
		}
		json.Unmarshal([]byte(adminGet(t, o, "resources/image/upload/pic").raw), &d)
		b, _ := json.Marshal(d.Metadata)
		return string(b)
	}
	entries := func(field string) string {
		t.Helper()
		var f struct {
			Datasource struct {
				Values []struct{ ExternalID, Value, State string }
			}
		}
		json.Unmarshal([]byte(adminGet(t, o, "metadata_fields/"+field).raw), &f)
		var out []string
		for _, e := range f.Datasource.Values {
			out = append(out, e.Value+":"+e.State)
		}
		return strings.Join(out, ",")
	}

	c := newConsoleClient(t, o)
	c.mustSignIn()
	page := c.assetPage("pic", nil)
	for _, want := range []string{`<p id="md-code" class="readonly">Code (string, read-only): X-1</p>`,
		`id="md-new-topics" name="md_new.topics"`, `id="md-new-mood" name="md_new.mood"`, `name="md.plain"`} {
		if !strings.Contains(page.body, want) {
			t.Fatalf("asset page: no %s in %s", want, page.body)
		}
	}
	for _, not := range []string{`name="md.code"`, `name="md_field" value="code"`, `md_new.plain`} {
		if strings.Contains(page.body, not) {
			t.Fatalf("asset page: %s in %s", not, page.body)
		}
	}

	// A crafted form for the read-only field changes nothing of it; new
	// values are added to the datasources and set.
	form := url.Values{"rt": {"image"}, "type": {"upload"}, "id": {"pic"},
		"md_field": {"code", "topics", "mood"}, "md_type.code": {"string"}, "md_type.topics": {"set"}, "md_type.mood": {"enum"},
		"md.code": {"hacked"}, "md_had.code": {"true"}, "md.topics": {"a"}, "md_new.topics": {"  Fresh "}, "md_new.mood": {"Calm"}}
	if a := c.post("/console/asset/metadata", page, form); a.status != http.StatusSeeOther {
		t.Fatalf("save with new values: %d %s", a.status, a.body)
	}
	if got := entries("topics"); got != "Alpha:active,Old:inactive,Fresh:active" {
		t.Fatalf("topics' datasource: %s", got)
	}
	if got := entries("mood"); got != "Calm:active" {
		t.Fatalf("mood's datasource (an existing value reused): %s", got)
	}
	var topics struct {
		Datasource struct {
			Values []struct {
				ExternalID string `json:"external_id"`
			} `json:"values"`
		} `json:"datasource"`
	}
	json.Unmarshal([]byte(adminGet(t, o, "metadata_fields/topics").raw), &topics)
	fresh := topics.Datasource.Values[2].ExternalID
	if got := metadata(); got != `{"code":"X-1","mood":"calm","topics":["a","`+fresh+`"]}` {
		t.Fatalf("values after saving: %s", got)
	}
	// An inactive entry's value typed again is made active.
	form.Set("md_new.topics", "Old")
	if a := c.post("/console/asset/metadata", page, form); a.status != http.StatusSeeOther {
		t.Fatalf("save an inactive value: %d %s", a.status, a.body)
	}
	if got := entries("topics"); got != "Alpha:active,Old:active,Fresh:active" {
		t.Fatalf("topics' datasource after Old: %s", got)
	}
	if got := metadata(); got != `{"code":"X-1","mood":"calm","topics":["a","old"]}` {
		t.Fatalf("values after Old: %s", got)
	}

	// The API's bounds; a field without the flag refuses a new value.
	form.Set("md_new.topics", strings.Repeat("x", 256))
	if a := c.post("/console/asset/metadata", page, form); a.status != http.StatusBadRequest ||
		!strings.Contains(a.body, "Invalid datasource value - longer than 255 characters") {
		t.Fatalf("a value too long: %d %s", a.status, a.body)
	}
	form.Del("md_new.topics")
	form["md_field"] = append(form["md_field"], "plain")
	form.Set("md_type.plain", "enum")
	form.Set("md_new.plain", "Q")
	if a := c.post("/console/asset/metadata", page, form); a.status != http.StatusBadRequest ||
		!strings.Contains(a.body, "Metadata field plain takes no new values here (allow_dynamic_list_values is off)") {
		t.Fatalf("a new value of a field without the flag: %d %s", a.status, a.body)
	}
	if got := entries("plain"); got != "P:active" {
		t.Fatalf("plain's datasource: %s", got)
	}
}
