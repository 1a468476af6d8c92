package app

import (
	"os"

	"gopkg.in/yaml.v3"
)

// inferRole reads which top-level sections a file has: origin and edge
// make a dev file, one of them that role.
func inferRole(path string) (Role, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var sections map[string]yaml.Node
	if err := yaml.Unmarshal(b, &sections); err != nil {
		return "", err
	}
	_, hasOrigin := sections["origin"]
	_, hasEdge := sections["edge"]
	switch {
	case hasOrigin && !hasEdge:
		return RoleOrigin, nil
	case hasEdge && !hasOrigin:
		return RoleEdge, nil
	}
	return RoleDev, nil
}
