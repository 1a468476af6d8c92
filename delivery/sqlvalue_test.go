package delivery

import (
	"database/sql"
	"database/sql/driver"
	"testing"
)

// The scanners database/sql uses.
var (
	_ sql.Scanner   = (*ResourceType)(nil)
	_ sql.Scanner   = (*DeliveryType)(nil)
	_ driver.Valuer = ResourceType(0)
	_ driver.Valuer = DeliveryType(0)
)

func TestResourceTypeStoredAsName(t *testing.T) {
	t.Parallel()
	for r := ResourceNone; r <= Raw; r++ {
		v, err := r.Value()
		if err != nil || v != r.String() {
			t.Fatalf("%v.Value() = %#v, %v; want %q", r, v, err, r.String())
		}
		for _, src := range []any{v, []byte(v.(string))} {
			got := Video + 1 // not any resource type: Scan must set it
			if err := got.Scan(src); err != nil || got != r {
				t.Errorf("Scan(%#v) = %v, %v; want %v", src, got, err, r)
			}
		}
	}
	got := Image
	if err := got.Scan(nil); err != nil || got != ResourceNone {
		t.Errorf("Scan(nil) = %v, %v; want ResourceNone", got, err)
	}
	for _, src := range []any{"images", "Image", int64(1), 1.5} {
		if err := got.Scan(src); err == nil {
			t.Errorf("Scan(%#v) = %v, want an error", src, got)
		}
	}
}

func TestDeliveryTypeStoredAsName(t *testing.T) {
	t.Parallel()
	for typ := TypeNone; int(typ) < len(typeNames); typ++ {
		v, err := typ.Value()
		if err != nil || v != typ.String() {
			t.Fatalf("%v.Value() = %#v, %v; want %q", typ, v, err, typ.String())
		}
		for _, src := range []any{v, []byte(v.(string))} {
			got := DeliveryType(len(typeNames)) // not any type: Scan must set it
			if err := got.Scan(src); err != nil || got != typ {
				t.Errorf("Scan(%#v) = %v, %v; want %v", src, got, err, typ)
			}
		}
	}
	got := Upload
	if err := got.Scan(nil); err != nil || got != TypeNone {
		t.Errorf("Scan(nil) = %v, %v; want TypeNone", got, err)
	}
	for _, src := range []any{"uploads", "Upload", int64(1), true} {
		if err := got.Scan(src); err == nil {
			t.Errorf("Scan(%#v) = %v, want an error", src, got)
		}
	}
}
