package purge

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Origins and edges that make the stream at the same moment, also right
// after it was deleted, all get it: a create refused while another is
// under way is tried again.
func TestStreamCreatedByManyAtOnce(t *testing.T) {
	srv := startServer(t, t.TempDir(), 0)
	cfg := testConfig(srv.ClientURL())
	admin, err := jetstream.New(connect(t, cfg, "admin"))
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 20; round++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if round > 0 {
			if err := admin.DeleteStream(ctx, cfg.StreamName()); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for i := 0; i < 16; i++ {
			js, err := jetstream.New(connect(t, cfg, "racer"))
			if err != nil {
				t.Fatal(err)
			}
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				var err error
				if i%2 == 0 {
					_, err = EnsureStream(ctx, js, cfg)
				} else {
					_, err = openStream(ctx, js, cfg)
				}
				errs <- err
			}(i)
		}
		wg.Wait()
		cancel()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
}
