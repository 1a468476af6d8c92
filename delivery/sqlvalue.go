package delivery

import (
	"database/sql/driver"
	"fmt"
)

// A ResourceType or DeliveryType is stored in SQL as its name, the URL's
// spelling ("image", "upload"; "" for the zero value): database/sql calls
// Value for an argument of either type, and Scan when a column is read into
// one, so a store holds them typed and never parses them back itself. A
// name Scan does not know is an error (a damaged row), never the zero value.

// Value implements driver.Valuer: the resource type's name.
func (r ResourceType) Value() (driver.Value, error) { return r.String(), nil }

// Scan implements sql.Scanner: a resource type's name, or "" (NULL) for
// ResourceNone.
func (r *ResourceType) Scan(src any) error {
	s, err := scannedName(src)
	if err != nil {
		return fmt.Errorf("delivery: resource type: %w", err)
	}
	if s == "" {
		*r = ResourceNone
		return nil
	}
	v, ok := ParseResourceType(s)
	if !ok {
		return fmt.Errorf("delivery: unknown resource type %q", s)
	}
	*r = v
	return nil
}

// Value implements driver.Valuer: the delivery type's name.
func (t DeliveryType) Value() (driver.Value, error) { return t.String(), nil }

// Scan implements sql.Scanner: a delivery type's name, or "" (NULL) for
// TypeNone.
func (t *DeliveryType) Scan(src any) error {
	s, err := scannedName(src)
	if err != nil {
		return fmt.Errorf("delivery: type: %w", err)
	}
	if s == "" {
		*t = TypeNone
		return nil
	}
	v, ok := ParseDeliveryType(s)
	if !ok {
		return fmt.Errorf("delivery: unknown type %q", s)
	}
	*t = v
	return nil
}

// scannedName is the text a column holds; NULL is "".
func scannedName(src any) (string, error) {
	switch v := src.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case []byte:
		return string(v), nil
	}
	return "", fmt.Errorf("cannot scan %T", src)
}
