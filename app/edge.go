package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Edge runs an edge: delivery from memory, fills from the origins, purges
// from NATS.
func Edge(ctx context.Context, args []string, io *IO) error {
	fs := newFlags("edge", "edge [flags]", io)
	cfgPath := fs.String("config", "", "YAML configuration `file` (default: built-in defaults)")
	listen := fs.String("listen", "", "delivery address (default 127.0.0.1:8080)")
	origins := fs.String("origin", "", "comma-separated origin base `urls` (default http://127.0.0.1:8081)")
	natsURLs := fs.String("nats", "", "comma-separated NATS `urls` (default: from the file)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f, err := roleFile(*cfgPath, io)
	if err != nil {
		return err
	}
	setIf(&f.Edge.Listen, *listen)
	if *origins != "" {
		f.Edge.Origins = strings.Split(*origins, ",")
	}
	if *natsURLs != "" {
		f.NATS.URLs = strings.Split(*natsURLs, ",")
		f.NATS.Embedded.Enabled = false
	}
	if err := f.Validate(RoleEdge); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	return errors.New("the edge server is not in this build yet")
}
