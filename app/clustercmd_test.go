package app

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cloudinary/cloudinary-go/v2"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// clusterArgsEnv makes the test binary run mediacdn cluster with these
// arguments, as main does (SIGTERM and Ctrl-C stop it; exit status 0
// when it returns no error): the subprocess TestClusterCommand starts.
const clusterArgsEnv = "MEDIACDN_TEST_CLUSTER_ARGS"

// mediacdn cluster as a process: it prints its progress, every address
// and a CLOUDINARY_URL with which the Go SDK uploads; the upload's URL
// delivers the bytes through a printed edge; SIGTERM stops it with exit
// status 0, leaving nothing in the temporary directory.
func TestClusterCommand(t *testing.T) {
	if args, ok := os.LookupEnv(clusterArgsEnv); ok {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := RunCluster(ctx, strings.Fields(args), &IO{Stdout: os.Stdout, Stderr: os.Stderr})
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "mediacdn cluster:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	tmp := t.TempDir()
	if os.Geteuid() == 0 { // PostgreSQL runs as nobody, who must reach its directory
		os.Chmod(tmp, 0o755)
		os.Chmod(tmp+"/..", 0o755)
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestClusterCommand$")
	cmd.Env = []string{clusterArgsEnv + "=-origins 2 -edges 2 -nats 1", "TMPDIR=" + tmp, "PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME")}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 100)
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			lines <- s.Text()
		}
		close(lines)
	}()
	var printed strings.Builder
	var cldURL string
	timeout := time.After(2 * time.Minute) // a bound on a hung start, not a measure
	for cldURL == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("mediacdn cluster ended before printing a CLOUDINARY_URL:\n%s\nstderr:\n%s", &printed, &stderr)
			}
			printed.WriteString(line + "\n")
			if u, found := strings.CutPrefix(strings.TrimSpace(line), "export CLOUDINARY_URL="); found {
				cldURL = strings.Trim(u, "'")
			}
		case <-timeout:
			t.Fatalf("no CLOUDINARY_URL after 2 minutes:\n%s\nstderr:\n%s", &printed, &stderr)
		}
	}
	out := printed.String()
	for _, want := range []string{"up: PostgreSQL: postgres://", "up: S3 (versitygw): http://", "up: origin 2: http://",
		"up: edge 2: http://", "NATS 1 (purges)", "origin 2 (API)", "edge 2 (delivery)", "(removed on exit)"} {
		if !strings.Contains(out, want) {
			t.Errorf("the output has no %q:\n%s", want, out)
		}
	}
	edges := regexp.MustCompile(`edge \d \(delivery\)\s+(http://\S+)`).FindAllStringSubmatch(out, -1)
	if len(edges) != 2 {
		t.Fatalf("edges printed: %v\n%s", edges, out)
	}

	cld, err := cloudinary.NewFromURL(cldURL)
	if err != nil {
		t.Fatalf("%s: %v", cldURL, err)
	}
	res, err := cld.Upload.Upload(t.Context(), testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "try"})
	if msg := sdkError(err, res); msg != "" {
		t.Fatalf("upload with the printed CLOUDINARY_URL: %s\n%s", msg, out)
	}
	if !strings.HasPrefix(res.URL, edges[0][1]+"/") {
		t.Errorf("the upload's url %s is not on the first edge %s", res.URL, edges[0][1])
	}
	rocket := testkit.Read(t, "rocket.jpg")
	for _, e := range edges {
		u := e[1] + strings.TrimPrefix(res.URL, edges[0][1])
		if g := testkit.Get(t, u); g.Status != 200 || !bytes.Equal(g.Body, rocket) {
			t.Errorf("%s: %v, want the uploaded bytes", u, g)
		}
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	go func() {
		for range lines { // drain what it prints while stopping
		}
	}()
	err = cmd.Wait()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatalf("mediacdn cluster after SIGTERM: %v\nstderr:\n%s", err, &stderr)
	}
	left, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range left {
		t.Errorf("left in the temporary directory: %s", e.Name())
	}
}
