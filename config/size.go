package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Size is a number of bytes. In YAML it is an integer or a number with a
// unit: KB, MB, GB (powers of 1000) or KiB, MiB, GiB (powers of 1024), as
// in "512MiB".
type Size int64

// Size units.
const (
	KiB Size = 1 << 10
	MiB Size = 1 << 20
	GiB Size = 1 << 30
)

// ParseSize parses "512MiB", "20MB", "1048576".
func ParseSize(text string) (Size, error) {
	s := strings.TrimSpace(text)
	units := []struct {
		suffix string
		mult   Size
	}{
		{"KiB", KiB}, {"MiB", MiB}, {"GiB", GiB},
		{"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000}, {"B", 1},
	}
	mult := Size(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/int64(mult) {
		return 0, fmt.Errorf("invalid size %q (want a byte count such as 1048576, 20MB or 512MiB)", text)
	}
	return Size(n) * mult, nil
}

// UnmarshalText implements encoding.TextUnmarshaler (and so YAML).
func (s *Size) UnmarshalText(b []byte) error {
	v, err := ParseSize(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (s Size) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s Size) String() string {
	switch {
	case s != 0 && s%GiB == 0:
		return strconv.FormatInt(int64(s/GiB), 10) + "GiB"
	case s != 0 && s%MiB == 0:
		return strconv.FormatInt(int64(s/MiB), 10) + "MiB"
	case s != 0 && s%KiB == 0:
		return strconv.FormatInt(int64(s/KiB), 10) + "KiB"
	}
	return strconv.FormatInt(int64(s), 10)
}
