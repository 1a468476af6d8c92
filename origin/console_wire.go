package origin

import (
	"errors"
	"net/http"

	"github.com/mediacdn/mediacdn/origin/console"
)

// newConsole builds the web console (origin/console) on this server's
// own APIs; nil when Config.Console disables it.
func (s *Server) newConsole() (http.Handler, error) {
	if s.cfg.Console.Disabled {
		return nil, nil
	}
	if _, ok := s.clouds["console"]; ok {
		return nil, errors.New(`a cloud named "console" would hide the console's /console/ paths: rename it or set origin.console.disabled`)
	}
	var edges func() []console.Edge
	if s.purger != nil {
		edges = s.purger.consoleEdges
	}
	return console.New(console.Options{Config: s.cfg.Console, Clouds: s.clouds, API: http.HandlerFunc(s.serveAPI),
		DeliveryURL: s.cfg.DeliveryURL, Edges: edges, Limiter: s.limits, Now: s.now, Log: s.log})
}

// consoleEdges lists the live edges for the console: the sequence each
// has applied and its lag behind the newest sequence any live edge or
// this origin's last invalidation has reached.
func (p *Purger) consoleEdges() []console.Edge {
	live := p.tracker.Edges()
	head := p.ledger.Last()
	for _, e := range live {
		head = max(head, e.Applied)
	}
	out := make([]console.Edge, 0, len(live))
	for _, e := range live {
		out = append(out, console.Edge{ID: e.ID, Applied: e.Applied, Lag: head - e.Applied, CaughtUp: e.CaughtUp, Seen: e.Seen})
	}
	return out
}
