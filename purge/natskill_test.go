package purge

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// natsChildEnv carries, JSON encoded, the Embedded settings of the NATS
// server TestNATSChild runs.
const natsChildEnv = "MEDIACDN_TEST_NATS_CHILD"

// TestNATSChild is not a test: run by natsChildren in a child process of
// the test binary, it runs one clustered NATS server until it is killed.
func TestNATSChild(t *testing.T) {
	spec := os.Getenv(natsChildEnv)
	if spec == "" {
		t.Skip("runs only as a child process of TestClusterStormSurvivesSIGKILL")
	}
	var cfg Embedded
	if err := json.Unmarshal([]byte(spec), &cfg); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := StartEmbedded(cfg, "", log)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	fmt.Println("ready", srv.ClientURL())
	select {} // until SIGKILLed (or the parent dies: Pdeathsig)
}

// natsChild is one server of a cluster run as a child process.
type natsChild struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

// natsChildren runs the servers of a three-server cluster, each in a
// process of its own (the test binary running TestNATSChild), on the
// settings StartCluster picked; they are killed when the test ends.
func natsChildren(t *testing.T) (urls []string, names []string, children []*natsChild) {
	t.Helper()
	cl, err := StartCluster(3, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	cl.Close() // its settings (free ports, stores, names) serve the processes
	for i := 0; i < cl.Len(); i++ {
		cfg := cl.Config(i)
		spec, err := json.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestNATSChild$")
		cmd.Env = append(os.Environ(), natsChildEnv+"="+string(spec))
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		c := &natsChild{cmd: cmd, exited: make(chan struct{})}
		go func() { cmd.Wait(); close(c.exited) }()
		t.Cleanup(func() {
			cmd.Process.Kill()
			<-c.exited
			if t.Failed() {
				t.Logf("%s:\n%s", cfg.ServerName, out.String())
			}
		})
		children = append(children, c)
		urls, names = append(urls, "nats://"+cfg.Listen), append(names, cfg.ServerName)
	}
	return urls, names, children
}

// kill ends the server at once with SIGKILL, as a crash or the OOM killer
// would: no shutdown, no leadership handed over, connections reset.
func (c *natsChild) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-c.exited
}

// Purges keep flowing when the NATS server leading the purge stream is
// SIGKILLed in a purge storm (each server a process of its own, so that it
// dies without shutting down: the others only notice it missing, and elect
// a new leader after JetStream's election timeout): the publisher retries
// what was not acknowledged (stored once), edges reconnect to the others
// and apply every acknowledged rule.
func TestClusterStormSurvivesSIGKILL(t *testing.T) {
	urls, names, children := natsChildren(t)
	cfg := testConfig(urls...)
	cfg.Stream.Replicas = 3
	admin := connect(t, cfg, "admin")
	js, err := jetstream.New(admin)
	if err != nil {
		t.Fatal(err)
	}
	pnc := connect(t, cfg, "origin")
	var pub *Publisher
	testkit.CheckFor(t, 60*time.Second, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var err error
		pub, err = NewPublisher(ctx, pnc, cfg)
		return err
	})
	leader := waitStreamHealthy(t, js, cfg, names...)
	victim := -1
	for i, n := range names {
		if n == leader {
			victim = i
		}
	}
	if victim < 0 {
		t.Fatalf("stream leader %q is none of %v", leader, names)
	}
	var edges []*edge
	var stamps []uint64
	for k := 0; k < 3; k++ {
		ecfg := cfg
		ecfg.URLs = append(append([]string(nil), urls[k:]...), urls[:k]...)
		e := startEdge(t, ecfg, fmt.Sprint("edge-", k))
		if k < 2 {
			steer(t, e.sub.nc, urls[victim])
		}
		testkit.Eventually(t, 10*time.Second, "edge caught up", caughtUp(e))
		edges = append(edges, e)
		stamps = append(stamps, e.ix.Seq())
	}
	steer(t, pnc, urls[victim])
	reconnects := pnc.Stats().Reconnects

	const n = 2000
	acked := storm(t, pub, 0, n, func() { children[victim].kill(t) })
	if len(acked) != n {
		t.Fatalf("%d of %d rules acknowledged", len(acked), n)
	}
	select {
	case <-children[victim].exited:
	default:
		t.Fatal("the leader was not killed")
	}
	if pnc.Stats().Reconnects == reconnects {
		t.Error("the publisher did not have to reconnect")
	}
	for k, e := range edges[:2] {
		if e.sub.nc.ConnectedUrl() == urls[victim] {
			t.Errorf("edge %d still on the killed server", k)
		}
	}
	checkApplied(t, js, cfg, edges, stamps, acked, n)
	t.Logf("%s SIGKILLed mid-storm; %d publish attempts retried", leader, pub.Retries())
}
