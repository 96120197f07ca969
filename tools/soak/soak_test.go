package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/tools/proc"
)

// TestSoakShort is the soak at about a minute's size, run by `make test`: the
// same cluster, faults, chaos, settle and reconciliation as `make soak`, fewer
// lifecycles. It builds the binaries it runs from the tree under test.
func TestSoakShort(t *testing.T) {
	if testing.Short() {
		t.Skip("the soak starts a Temporal dev server, a sandbox, an API and workers")
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := proc.ModuleRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	cli := os.Getenv("CARDFLOW_TEMPORAL_CLI")
	if cli == "" {
		cli = filepath.Join(root, ".cardflow", "bin", "temporal")
	}
	if _, err := os.Stat(cli); err != nil {
		t.Fatalf("no Temporal CLI at %s: run `make test` (it builds the pinned CLI): %v", cli, err)
	}
	bin := t.TempDir()
	for _, b := range []struct{ out, pkg string }{{"worker", "./worker"}, {"api", "./api"}, {"starter", "./starter"}, {"sandbox", "./sandbox/cmd/sandbox"}} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(bin, b.out), b.pkg)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", b.pkg, err, out)
		}
	}

	opts := defaultOptions()
	opts.Orders, opts.Subscriptions = 40, 10
	opts.Duration, opts.Kills, opts.Settle = 20*time.Second, 2, 2*time.Minute
	opts.BinDir, opts.TemporalCLI = bin, cli
	var progress bytes.Buffer
	opts.Log = &progress
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	res, err := run(ctx, opts)
	t.Logf("%s (took %s)\n%s", res.Line(), res.Took.Truncate(time.Second), progress.String())
	if err != nil {
		t.Fatalf("the soak could not run: %v", err)
	}
	if !res.OK() {
		t.Fatalf("%s; state and logs in %s", res.Line(), res.Dir)
	}
	if res.Orders != 40 || res.Subscriptions != 10 || res.WorkerKills != 2 || res.ServerRestarts != 1 || res.Faults == 0 {
		t.Errorf("the soak did not do what it was asked: %s", res.Line())
	}
	if !strings.HasPrefix(res.Line(), "soak: orders=40 subscriptions=10 worker_kills=2 server_restarts=1 faults=") {
		t.Errorf("line %q", res.Line())
	}
}
