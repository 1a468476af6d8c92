// Package config holds what every component's configuration shares: the
// per-cloud settings, logging, byte sizes, and strict YAML loading with
// environment overrides for secrets. Each component (edge, origin, purge)
// defines its own Config with documented fields, defaults and Validate.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"gopkg.in/yaml.v3"
)

// EnvPrefix starts every environment variable that overrides a setting.
const EnvPrefix = "MEDIACDN_"

// Decode reads YAML into dst strictly: an unknown field is an error that
// names it, so that a typo never silently falls back to a default.
func Decode(r io.Reader, dst any) error {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(dst); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// LoadFile decodes the YAML file at path into dst.
func LoadFile(path string, dst any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := Decode(bytes.NewReader(b), dst); err != nil {
		return fmt.Errorf("%s: %w", path, err)
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
