package app

import (
	"context"
	"fmt"
)

// CheckConfig loads and validates a configuration file and says what is
// wrong with it, naming the field.
func CheckConfig(_ context.Context, args []string, io *IO) error {
	fs := newFlags("check-config", "check-config [-role dev|origin|edge] FILE", io)
	role := fs.String("role", "", "validate for this role (default: dev when the file has origin and edge sections, else the one it has)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usageError("check-config takes one file")
	}
	path := fs.Arg(0)
	f, err := LoadFile(path)
	if err != nil {
		return err
	}
	r := Role(*role)
	if r == "" {
		r, err = inferRole(path)
		if err != nil {
			return err
		}
	}
	if err := f.Validate(r); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(io.Stdout, "%s: valid %s configuration\n", path, r)
	return nil
}
