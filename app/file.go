package app

import (
	"bytes"
	"fmt"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/edge"
	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/purge"
)

// File is the YAML configuration file. A file for one role may leave the
// other roles' sections out.
type File struct {
	// Log configures structured logs.
	Log config.Log `yaml:"log"`
	// Clouds are the clouds this installation serves, by name.
	Clouds config.Clouds `yaml:"clouds"`
	// NATS is how origins publish purges and edges receive them.
	NATS purge.Config `yaml:"nats"`
	// Origin configures mediacdn origin (and the origin inside dev).
	Origin origin.Config `yaml:"origin"`
	// Edge configures mediacdn edge (and the edge inside dev).
	Edge edge.Config `yaml:"edge"`
}

// Role says which sections a file must have valid.
type Role string

// Roles.
const (
	RoleDev    Role = "dev"
	RoleOrigin Role = "origin"
	RoleEdge   Role = "edge"
)

// LoadFile reads a YAML file, applies defaults and then the environment.
func LoadFile(path string) (*File, error) {
	var f File
	if err := config.LoadFile(path, &f); err != nil {
		return nil, err
	}
	f.finish()
	return &f, nil
}

// ParseFile is LoadFile for YAML already in memory.
func ParseFile(b []byte) (*File, error) {
	var f File
	if err := config.Decode(bytes.NewReader(b), &f); err != nil {
		return nil, err
	}
	f.finish()
	return &f, nil
}

func (f *File) finish() {
	if f.Clouds == nil {
		f.Clouds = config.Clouds{}
	}
	f.Clouds.ApplyEnv()
	f.NATS.ApplyDefaults()
	f.NATS.ApplyEnv()
	f.Origin.ApplyDefaults()
	f.Edge.ApplyDefaults()
}

// Validate checks the sections role needs; the error names the field by its
// YAML path. Outside dev, placeholder secrets ("change-me") that role uses
// are refused (checkSecrets).
func (f *File) Validate(role Role) error {
	if err := f.Log.Validate(); err != nil {
		return config.Prefix("log", err)
	}
	if err := f.Clouds.Validate(role != RoleEdge); err != nil {
		return err
	}
	if err := f.NATS.Validate(); err != nil {
		return config.Prefix("nats", err)
	}
	if role != RoleDev {
		if err := f.checkSecrets(role); err != nil {
			return err
		}
	}
	if role == RoleDev || role == RoleOrigin {
		if err := f.Origin.Validate(); err != nil {
			return config.Prefix("origin", err)
		}
	}
	if role == RoleDev || role == RoleEdge {
		if err := f.Edge.Validate(); err != nil {
			return config.Prefix("edge", err)
		}
		if err := f.NATS.CheckRetention(f.Edge.LongestTTL()); err != nil {
			return config.Prefix("nats", err)
		}
	}
	switch role {
	case RoleDev, RoleOrigin, RoleEdge:
		return nil
	}
	return fmt.Errorf("unknown role %q (want dev, origin or edge)", role)
}

// checkSecrets refuses the placeholder secrets ("change-me") that role
// uses: an example file's stand-ins run in dev only. Origins and edges use
// the NATS credentials; only origins use the clouds' API secrets (they
// check API calls and URL signatures; an edge fills every URL, signed or
// not, from its origin, which checks it), so placeholder API secrets in an
// edge's file are left alone.
func (f *File) checkSecrets(role Role) error {
	if role != RoleEdge {
		if err := f.Clouds.CheckSecrets(); err != nil {
			return err
		}
	}
	for _, s := range []struct{ field, value, env string }{
		{"nats.password", f.NATS.Password, "MEDIACDN_NATS_PASSWORD"},
		{"nats.token", f.NATS.Token, "MEDIACDN_NATS_TOKEN"},
	} {
		if s.value != "" && config.Placeholder(s.value) {
			return config.Errorf(s.field, "%q is a placeholder, accepted by dev only: set the real one in %s (the environment overrides the file) or in the file", s.value, s.env)
		}
	}
	return nil
}
