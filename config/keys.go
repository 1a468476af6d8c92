package config

import (
	"encoding"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// unknownKey says that key, on line, names no setting of section (the
// YAML path of the mapping it is in, empty at the top level), with the
// known key it most likely misspells when there is one.
func unknownKey(line int, key, section, suggest string) *LineError {
	where := "at the top level"
	if section != "" {
		where = "in " + section
	}
	msg := fmt.Sprintf("unknown key %s %s", key, where)
	if suggest != "" {
		msg += " (did you mean " + suggest + "?)"
	}
	return &LineError{Line: line, Message: msg}
}

// checkKeys walks a parsed YAML document alongside the type it will be
// decoded into and returns every mapping key that names no field, so that
// a typo is reported in the file's terms (key, section, line) rather than
// as a Go type's; and every value a text-unmarshalled setting (a Size)
// refuses, with its line and name.
func checkKeys(doc *yaml.Node, t reflect.Type) error {
	var errs LineErrors
	walkKeys(doc, t, "", &errs)
	if len(errs) == 0 {
		return nil
	}
	return errs
}

var (
	yamlUnmarshaler = reflect.TypeFor[yaml.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

func walkKeys(n *yaml.Node, t reflect.Type, section string, errs *LineErrors) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.DocumentNode {
		for _, c := range n.Content {
			walkKeys(c, t, section, errs)
		}
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		// The type reads its own value: try it here, where the line and the
		// setting's name are known (yaml.v3 reports neither).
		if n.Kind == yaml.ScalarNode {
			if err := reflect.New(t).Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(n.Value)); err != nil {
				*errs = append(*errs, &LineError{Line: n.Line, Message: section + ": " + err.Error()})
			}
		}
		return
	}
	if reflect.PointerTo(t).Implements(yamlUnmarshaler) {
		return
	}
	switch {
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Struct:
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "<<" && k.Tag == "!!merge" {
				walkKeys(v, t, section, errs)
				continue
			}
			ft, ok := fields[k.Value]
			if !ok {
				*errs = append(*errs, unknownKey(k.Line, k.Value, section, closest(k.Value, fields)))
				continue
			}
			walkKeys(v, ft, join(section, k.Value), errs)
		}
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Map:
		for i := 0; i+1 < len(n.Content); i += 2 {
			walkKeys(n.Content[i+1], t.Elem(), join(section, n.Content[i].Value), errs)
		}
	case n.Kind == yaml.SequenceNode && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array):
		for i, c := range n.Content {
			walkKeys(c, t.Elem(), section+"["+strconv.Itoa(i)+"]", errs)
		}
	}
}

func join(section, key string) string {
	if section == "" {
		return key
	}
	return section + "." + key
}

// yamlFields maps the YAML keys of struct t to their field types, as
// yaml.v3 names them: the tag's name, else the lower-cased field name;
// inline fields contribute their own keys.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(","+opts+",", ",inline,") {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range yamlFields(ft) {
					fields[k] = v
				}
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = f.Type
	}
	return fields
}

// closest is the known key nearest to key (case, '-' for '_', up to two
// edits), or empty.
func closest(key string, fields map[string]reflect.Type) string {
	norm := strings.ToLower(strings.ReplaceAll(key, "-", "_"))
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	sort.Strings(names)
	best, bestD := "", 3
	for _, n := range names {
		if d := editDistance(norm, n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
