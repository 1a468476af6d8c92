package origin

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// The structured metadata schema: a field's definition as the Admin API's
// metadata_fields reads and answers it (docs/metadata.md), its validation
// rules and datasource, and the check of a value against it. The store
// keeps the external ID, type and label in columns and the rest as the
// JSON of mdDefinition (meta/metadata_fields.go).

// Bounds of the schema and of the values.
const (
	maxMetadataFields      = 100  // fields per cloud (Cloudinary's bound; deleted ones do not count)
	maxDatasourceEntries   = 3000 // entries of one enum or set datasource
	maxMetadataIDLength    = 255  // a field's or an entry's external ID, in characters
	maxMetadataLabelLength = 255  // a field's label, an entry's value
	maxMetadataValueBytes  = 1024 // a string value, in bytes of UTF-8 (indexed: PostgreSQL's index rows are bounded)
	maxValidationRules     = 10   // the rules of an and validation
	maxRegexBytes          = 1000 // a strregex pattern, in bytes
)

// mdDefinition is what the store keeps of a field besides its external
// ID, type and label.
type mdDefinition struct {
	Mandatory    bool          `json:"mandatory"`
	DefaultValue any           `json:"default_value,omitempty"`
	Validation   *mdValidation `json:"validation,omitempty"`
	Datasource   *mdDatasource `json:"datasource,omitempty"`
	// The flags (docs/metadata.md#flags); a definition stored before
	// them reads as false.
	DefaultDisabled        bool           `json:"default_disabled,omitempty"`
	Restrictions           mdRestrictions `json:"restrictions"`
	AllowDynamicListValues bool           `json:"allow_dynamic_list_values,omitempty"`
}

// mdRestrictions are a field's restrictions: readonly_ui, the console
// shows the field read-only.
type mdRestrictions struct {
	ReadonlyUI bool `json:"readonly_ui"`
}

// mdValidation is a validation rule: greater_than and less_than (value,
// equals) for integers and dates, strlen (min, max) and strregex (regex)
// for strings, and (rules) for every type that has rules.
type mdValidation struct {
	Type   string         `json:"type"`
	Value  any            `json:"value,omitempty"`
	Equals *bool          `json:"equals,omitempty"`
	Min    *int           `json:"min,omitempty"`
	Max    *int           `json:"max,omitempty"`
	Regex  string         `json:"regex,omitempty"`
	Rules  []mdValidation `json:"rules,omitempty"`

	re *mdRegexp // Regex, compiled when a value is first checked (prepare)
}

// mdRegexp is a strregex pattern compiled once, when a value is first
// checked against it: the fields are read on every call that shows or
// checks metadata, most of which check no value. A stored field's
// pattern comes from the origin's cache (metadata_regexps.go).
type mdRegexp struct {
	cache *regexCache // nil: compiled here
	once  sync.Once
	re    *regexp.Regexp
	err   error
}

// get compiles pattern the first time, or finds it in the cache.
func (r *mdRegexp) get(pattern string) (*regexp.Regexp, error) {
	r.once.Do(func() {
		if r.cache != nil {
			r.re, r.err = r.cache.get(pattern)
			return
		}
		r.re, r.err = compileRegex(pattern)
	})
	return r.re, r.err
}

// mdDatasource is an enum's or a set's list of entries.
type mdDatasource struct {
	Values []mdEntry `json:"values"`
}

// mdEntry is one datasource entry; State is active or inactive (deleted
// entries stay, inactive: values already set keep them).
type mdEntry struct {
	ExternalID string `json:"external_id"`
	Value      string `json:"value"`
	State      string `json:"state"`
}

// mdField is a field: the store's row and its definition.
type mdField struct {
	ExternalID string
	Type       string
	Label      string
	Position   int64
	mdDefinition
}

// mdFieldJSON is a field as the Admin API answers it.
type mdFieldJSON struct {
	Type                   string         `json:"type"`
	ExternalID             string         `json:"external_id"`
	Label                  string         `json:"label"`
	Mandatory              bool           `json:"mandatory"`
	DefaultValue           any            `json:"default_value"`
	Validation             *mdValidation  `json:"validation"`
	Datasource             *mdDatasource  `json:"datasource,omitempty"`
	DefaultDisabled        bool           `json:"default_disabled"`
	Restrictions           mdRestrictions `json:"restrictions"`
	AllowDynamicListValues bool           `json:"allow_dynamic_list_values"`
}

func (f *mdField) json() mdFieldJSON {
	return mdFieldJSON{Type: f.Type, ExternalID: f.ExternalID, Label: f.Label, Mandatory: f.Mandatory,
		DefaultValue: f.DefaultValue, Validation: f.Validation, Datasource: f.Datasource,
		DefaultDisabled: f.DefaultDisabled, Restrictions: f.Restrictions, AllowDynamicListValues: f.AllowDynamicListValues}
}

// fieldOf reads a stored field; its strregex patterns compile through
// the origin's cache.
func fieldOf(m *meta.MetadataField, regexps *regexCache) (*mdField, error) {
	f := &mdField{ExternalID: m.ExternalID, Type: m.Type, Label: m.Label, Position: m.Position}
	dec := json.NewDecoder(strings.NewReader(m.Definition))
	dec.UseNumber()
	if err := dec.Decode(&f.mdDefinition); err != nil {
		return nil, fmt.Errorf("metadata field %s: %w", m.ExternalID, err)
	}
	f.DefaultValue = normalDefault(f.DefaultValue)
	if f.Validation != nil {
		f.Validation.prepare(regexps)
	}
	return f, nil
}

// normalDefault turns a decoded default value back into its Go form.
func normalDefault(v any) any {
	switch v := v.(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n
		}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, _ := e.(string)
			out = append(out, s)
		}
		return out
	}
	return v
}

// definition is the JSON the store keeps.
func (f *mdField) definition() string {
	b, _ := json.Marshal(f.mdDefinition)
	return string(b)
}

// withArticle is a type with its indefinite article ("an enum").
func withArticle(typ string) string {
	if strings.ContainsAny(typ[:1], "aeiou") {
		return "an " + typ
	}
	return "a " + typ
}

// isListType reports the types with a datasource.
func isListType(typ string) bool { return typ == meta.MetadataTypeEnum || typ == meta.MetadataTypeSet }

// checkMetadataID checks an external ID: 1 to 255 letters, digits, "_"
// and "-" (it appears in paths, in the metadata parameter's k=v|k2=v2 and
// in search expressions).
func checkMetadataID(what, id string) error {
	if id == "" || len(id) > maxMetadataIDLength {
		return api.BadRequest("Invalid %s - %s (1 to %d letters, digits, _ or -)", what, api.Clip(id), maxMetadataIDLength)
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return api.BadRequest("Invalid %s - %s (1 to %d letters, digits, _ or -)", what, api.Clip(id), maxMetadataIDLength)
		}
	}
	return nil
}

// checkLabel checks a field's label or an entry's value: not empty, at
// most maxMetadataLabelLength characters.
func checkLabel(what, s string) error {
	if strings.TrimSpace(s) == "" {
		return api.BadRequest("Missing required parameter - %s", what)
	}
	if utf8.RuneCountInString(s) > maxMetadataLabelLength {
		return api.BadRequest("Invalid %s - longer than %d characters", what, maxMetadataLabelLength)
	}
	return nil
}

// objectParam reads a parameter that is an object: JSON text (a form's
// value), or what the parameters' reader makes of a JSON body's object,
// k=v|k2=v2 with nested values as JSON. Values come back as JSON text
// (strings as they are).
func objectParam(raw string) (map[string]string, error) {
	if !strings.HasPrefix(strings.TrimSpace(raw), "{") {
		return api.ParseContext(raw)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &obj); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(obj))
	for k, v := range obj {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out[k] = s
			continue
		}
		out[k] = string(v)
		if string(v) == "null" {
			out[k] = ""
		}
	}
	return out, nil
}

// parseRestrictions reads the restrictions parameter, an object
// (objectParam) whose one member is readonly_ui, a boolean.
func parseRestrictions(raw string) (mdRestrictions, error) {
	var r mdRestrictions
	t := strings.TrimSpace(raw)
	if t == "" || t == "{}" {
		return r, nil
	}
	obj, err := objectParam(t)
	if err != nil || !strings.HasPrefix(t, "{") && !strings.Contains(t, "=") {
		return r, api.BadRequest("Invalid restrictions - %s (must be an object such as {\"readonly_ui\":true})", api.Clip(raw))
	}
	for k, v := range obj {
		if k != "readonly_ui" {
			return r, api.BadRequest("Invalid restrictions - unknown key %s (must be readonly_ui)", api.Clip(k))
		}
		b, err := strconv.ParseBool(v)
		if err != nil && v != "" { // "": null
			return r, api.BadRequest("Invalid restrictions - readonly_ui must be true or false")
		}
		r.ReadonlyUI = b
	}
	return r, nil
}

// parseValidation reads the validation parameter, an object
// (objectParam).
func parseValidation(typ, raw string) (*mdValidation, error) {
	if raw == "" {
		return nil, nil
	}
	obj, err := objectParam(raw)
	if err != nil {
		return nil, api.BadRequest("Invalid validation - %s", api.Clip(raw))
	}
	m := map[string]any{}
	for k, v := range obj {
		m[k] = v
	}
	if rules, ok := obj["rules"]; ok {
		var list []map[string]any
		dec := json.NewDecoder(strings.NewReader(rules))
		dec.UseNumber()
		if err := dec.Decode(&list); err != nil {
			return nil, api.BadRequest("Invalid validation - rules must be a list of rules")
		}
		anys := make([]any, len(list))
		for i, r := range list {
			anys[i] = r
		}
		m["rules"] = anys
	}
	return validationOf(typ, m, true)
}

// validationOf reads one rule (an object) for a field of type typ; top
// is false inside an and.
func validationOf(typ string, m map[string]any, top bool) (*mdValidation, error) {
	t := scalarText(m["type"])
	bad := func(format string, args ...any) error {
		return api.BadRequest("Invalid validation - "+format, args...)
	}
	v := &mdValidation{Type: t}
	switch t {
	case "and":
		if !top {
			return nil, bad("an and rule cannot hold another and")
		}
		rules, _ := m["rules"].([]any)
		if len(rules) == 0 || len(rules) > maxValidationRules {
			return nil, bad("an and rule needs 1 to %d rules", maxValidationRules)
		}
		for _, r := range rules {
			rm, ok := r.(map[string]any)
			if !ok {
				return nil, bad("rules must be a list of rules")
			}
			sub, err := validationOf(typ, rm, false)
			if err != nil {
				return nil, err
			}
			v.Rules = append(v.Rules, *sub)
		}
	case "greater_than", "less_than":
		eq := false
		if e, ok := m["equals"]; ok {
			b, err := strconv.ParseBool(scalarText(e))
			if err != nil {
				return nil, bad("equals must be true or false")
			}
			eq = b
		}
		v.Equals = &eq
		text := scalarText(m["value"])
		switch typ {
		case meta.MetadataTypeInteger:
			n, err := strconv.ParseInt(text, 10, 64)
			if err != nil {
				return nil, bad("%s of an integer field needs an integer value", t)
			}
			v.Value = n
		case meta.MetadataTypeDate:
			if _, err := time.Parse(time.DateOnly, text); err != nil {
				return nil, bad("%s of a date field needs a date value (YYYY-MM-DD)", t)
			}
			v.Value = text
		default:
			return nil, bad("%s applies to integer and date fields", t)
		}
	case "strlen":
		if typ != meta.MetadataTypeString {
			return nil, bad("strlen applies to string fields")
		}
		for _, b := range []struct {
			key string
			dst **int
		}{{"min", &v.Min}, {"max", &v.Max}} {
			text := scalarText(m[b.key])
			if text == "" {
				continue
			}
			n, err := strconv.Atoi(text)
			if err != nil || n < 0 {
				return nil, bad("strlen %s must be a whole number", b.key)
			}
			*b.dst = &n
		}
		if v.Min == nil && v.Max == nil {
			return nil, bad("strlen needs min or max")
		}
		if v.Min != nil && v.Max != nil && *v.Min > *v.Max {
			return nil, bad("strlen min is above max")
		}
	case "strregex":
		if typ != meta.MetadataTypeString {
			return nil, bad("strregex applies to string fields")
		}
		v.Regex = scalarText(m["regex"])
		switch {
		case v.Regex == "":
			return nil, bad("strregex needs a regex")
		case len(v.Regex) > maxRegexBytes:
			return nil, bad("strregex regex is longer than %d bytes", maxRegexBytes)
		}
		if err := v.compile(); err != nil {
			return nil, bad("strregex regex %s", err.Error())
		}
	default:
		return nil, bad("unknown type %s (must be greater_than, less_than, strlen, strregex or and)", api.Clip(t))
	}
	return v, nil
}

// compile compiles the rule's strregex patterns (RE2: matching takes
// linear time whatever the pattern), its own or its rules', to check them
// when a rule is given. The error says why a pattern is not one, in
// public words.
func (v *mdValidation) compile() error {
	for i := range v.Rules {
		if err := v.Rules[i].compile(); err != nil {
			return err
		}
	}
	if v.Type != "strregex" {
		return nil
	}
	v.re = &mdRegexp{}
	_, err := v.re.get(v.Regex)
	return err
}

// prepare readies a stored rule's strregex patterns, its own or its
// rules', to be compiled (or found in the cache) when first used
// (mdRegexp).
func (v *mdValidation) prepare(regexps *regexCache) {
	for i := range v.Rules {
		v.Rules[i].prepare(regexps)
	}
	if v.Type == "strregex" {
		v.re = &mdRegexp{cache: regexps}
	}
}

// scalarText is a JSON scalar as text ("" for none).
func scalarText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// check reports whether a value passes the rule, with the reason it does
// not.
func (v *mdValidation) check(typ string, value any) (bool, string) {
	switch v.Type {
	case "and":
		for i := range v.Rules {
			if ok, why := v.Rules[i].check(typ, value); !ok {
				return false, why
			}
		}
	case "strregex":
		if v.re == nil {
			break
		}
		re, err := v.re.get(v.Regex)
		if err != nil { // a stored pattern this build's regexp refuses
			return false, "cannot be checked: its strregex regex " + err.Error()
		}
		if !re.MatchString(scalarText(value)) {
			return false, "does not match " + api.Clip(v.Regex)
		}
	case "strlen":
		n := utf8.RuneCountInString(scalarText(value))
		if v.Min != nil && n < *v.Min {
			return false, fmt.Sprintf("shorter than %d characters", *v.Min)
		}
		if v.Max != nil && n > *v.Max {
			return false, fmt.Sprintf("longer than %d characters", *v.Max)
		}
	case "greater_than", "less_than":
		var cmp int
		limit := scalarText(v.Value)
		if typ == meta.MetadataTypeInteger {
			a, _ := strconv.ParseInt(scalarText(value), 10, 64)
			b, _ := strconv.ParseInt(limit, 10, 64)
			cmp = compareInts(a, b)
		} else {
			cmp = strings.Compare(scalarText(value), limit) // YYYY-MM-DD sorts as dates do
		}
		eq := v.Equals != nil && *v.Equals
		word := map[string]string{"greater_than": "greater than", "less_than": "less than"}[v.Type]
		if eq {
			word += " or equal to"
		}
		ok := cmp > 0 || eq && cmp == 0
		if v.Type == "less_than" {
			ok = cmp < 0 || eq && cmp == 0
		}
		if !ok {
			return false, "must be " + word + " " + limit
		}
	}
	return true, ""
}

func compareInts(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// parseDatasource reads the datasource parameter, an object with values
// (objectParam). Entries without an external ID get one; state is active
// unless given.
func parseDatasource(raw string) (*mdDatasource, error) {
	if raw == "" {
		return nil, nil
	}
	obj, err := objectParam(raw)
	if err != nil {
		return nil, api.BadRequest("Invalid datasource - %s", api.Clip(raw))
	}
	return parseEntries(obj["values"])
}

// parseEntries reads a JSON list of entries ("" or null: none).
func parseEntries(raw string) (*mdDatasource, error) {
	if raw == "" || raw == "null" {
		return nil, nil
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(raw), &list); err != nil {
		return nil, api.BadRequest("Invalid datasource - values must be a list of entries with external_id and value")
	}
	if len(list) > maxDatasourceEntries {
		return nil, api.BadRequest("Invalid datasource - more than %d values", maxDatasourceEntries)
	}
	ds := &mdDatasource{Values: []mdEntry{}}
	for _, m := range list {
		e := mdEntry{ExternalID: scalarText(m["external_id"]), Value: scalarText(m["value"]), State: scalarText(m["state"])}
		if e.ExternalID == "" {
			e.ExternalID = meta.RandomHex(10)
		}
		if err := checkMetadataID("datasource external_id", e.ExternalID); err != nil {
			return nil, err
		}
		if err := checkLabel("datasource value", e.Value); err != nil {
			return nil, err
		}
		switch e.State {
		case "":
			e.State = "active"
		case "active", "inactive":
		default:
			return nil, api.BadRequest("Invalid datasource - state must be active or inactive")
		}
		ds.Values = append(ds.Values, e)
	}
	return ds, nil
}

// merge adds entries to the datasource: an entry with a known external ID
// replaces it, others are appended. Values stay unique among the entries.
func (ds *mdDatasource) merge(more []mdEntry) error {
	for _, e := range more {
		found := false
		for i := range ds.Values {
			if ds.Values[i].ExternalID == e.ExternalID {
				ds.Values[i], found = e, true
			}
		}
		if !found {
			ds.Values = append(ds.Values, e)
		}
	}
	if len(ds.Values) > maxDatasourceEntries {
		return api.BadRequest("Invalid datasource - more than %d values", maxDatasourceEntries)
	}
	seen := map[string]bool{}
	for _, e := range ds.Values {
		if seen[e.Value] {
			return api.BadRequest("Invalid datasource - value %s appears twice", api.Clip(e.Value))
		}
		seen[e.Value] = true
	}
	return nil
}

// entry finds an entry by external ID.
func (ds *mdDatasource) entry(id string) *mdEntry {
	if ds == nil {
		return nil
	}
	for i := range ds.Values {
		if ds.Values[i].ExternalID == id {
			return &ds.Values[i]
		}
	}
	return nil
}

// value checks one value given for the field (texts: one, or a set's
// several) and returns it in its stored form: a string, an int64 or a
// list of strings. Enum and set values name active entries by external ID.
func (f *mdField) value(texts []string) (any, error) {
	bad := func(format string, args ...any) error {
		return api.BadRequest("Invalid metadata value for field %s - "+format, append([]any{f.ExternalID}, args...)...)
	}
	if f.Type != meta.MetadataTypeSet && len(texts) != 1 {
		return nil, bad("%s field takes one value", withArticle(f.Type))
	}
	var out any
	switch f.Type {
	case meta.MetadataTypeString:
		if len(texts[0]) > maxMetadataValueBytes {
			return nil, bad("longer than %d bytes", maxMetadataValueBytes)
		}
		out = texts[0]
	case meta.MetadataTypeInteger:
		n, err := strconv.ParseInt(strings.TrimSpace(texts[0]), 10, 64)
		if err != nil {
			return nil, bad("%s is not an integer", api.Clip(texts[0]))
		}
		out = n
	case meta.MetadataTypeDate:
		d, err := time.Parse(time.DateOnly, strings.TrimSpace(texts[0]))
		if err != nil {
			return nil, bad("%s is not a date (YYYY-MM-DD)", api.Clip(texts[0]))
		}
		out = d.Format(time.DateOnly)
	case meta.MetadataTypeEnum, meta.MetadataTypeSet:
		ids := []string{}
		for _, id := range texts {
			if e := f.Datasource.entry(id); e == nil || e.State != "active" {
				return nil, bad("%s is not an active value of its datasource", api.Clip(id))
			}
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		if f.Type == meta.MetadataTypeEnum {
			return ids[0], nil
		}
		return ids, nil
	}
	if f.Validation != nil {
		if ok, why := f.Validation.check(f.Type, out); !ok {
			return nil, bad("%s", why)
		}
	}
	return out, nil
}

// defaultTexts are the field's default value as the texts value takes.
func (f *mdField) defaultTexts() []string {
	switch v := f.DefaultValue.(type) {
	case nil:
		return nil
	case []string:
		return v
	}
	return []string{scalarText(f.DefaultValue)}
}
