package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"

	"gopkg.in/yaml.v3"
)

// EnvPrefix starts every environment variable that overrides a setting.
const EnvPrefix = "MEDIACDN_"

// Decode reads YAML into dst strictly: a key that names no setting is an
// error saying which key, in which section, on which line (KeyErrors), so
// that a typo never silently falls back to a default.
func Decode(r io.Reader, dst any) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return readable(err)
	}
	if err := checkKeys(&doc, reflect.TypeOf(dst)); err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(dst); err != nil && !errors.Is(err, io.EOF) {
		return readable(err)
	}
	return nil
}

// LoadFile decodes the YAML file at path into dst. An error in the file
// starts with path:line: ("configs/edge.yaml:12: unknown key cache_sise in
// edge (did you mean cache_size?)"), one line per problem.
func LoadFile(path string, dst any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := Decode(bytes.NewReader(b), dst); err != nil {
		return inFile(path, err)
	}
	return nil
}

// FieldError is a validation failure of one field, named by its YAML path
// ("clouds.demo.api_secret").
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Errorf builds a FieldError.
func Errorf(field, format string, args ...any) error {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Prefix puts a parent's name in front of a FieldError's field, and of any
// other error.
func Prefix(parent string, err error) error {
	if err == nil {
		return nil
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return &FieldError{Field: parent + "." + fe.Field, Message: fe.Message}
	}
	return fmt.Errorf("%s: %w", parent, err)
}
