package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cardflow/cardflow/internal/config"
	tcluster "github.com/cardflow/cardflow/tools/cluster"
	"github.com/cardflow/cardflow/tools/proc"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
)

// devServer is a Temporal dev server of the pinned CLI, on its own loopback ports
// and SQLite file in the bench's temp dir: each phase gets a fresh one, so no
// phase runs on the history and visibility rows another left behind.
type devServer struct {
	*proc.Proc // the dev server; nil on a cluster
	addr       string
	// cluster, with -server cluster, is tools/cluster's instead: the Temporal
	// server on PostgreSQL, 4 shards (no mTLS: the bench measures the engine).
	cluster *tcluster.Cluster
}

// startCluster is startDevServer's counterpart for -server cluster.
func startCluster(bin, dir, name string) (*devServer, error) {
	c, err := tcluster.Start(context.Background(), tcluster.Options{Dir: filepath.Join(dir, name+"-cluster"), Bin: bin})
	if err != nil {
		return nil, err
	}
	return &devServer{addr: c.Address, cluster: c}, nil
}

// cpu is the server's CPU time; on a cluster the Temporal server's and
// PostgreSQL's (its postmaster, its live connections, and those that closed).
func (d *devServer) cpu() time.Duration {
	if d.cluster == nil {
		return d.Proc.CPU()
	}
	t := d.cluster.Server.CPU()
	pg := d.cluster.PostgresPid()
	t += proc.CPUOf(pg, true)
	for _, child := range proc.Children(pg) {
		t += proc.CPUOf(child, false)
	}
	return t
}

// mem is the Temporal server's memory (on a cluster without PostgreSQL's).
func (d *devServer) mem() (rss, hwm float64) {
	if d.cluster == nil {
		return d.Proc.Mem()
	}
	return d.cluster.Server.Mem()
}

func (d *devServer) stop(grace time.Duration) {
	if d.cluster != nil {
		d.cluster.Stop()
		return
	}
	d.Proc.Stop(grace)
}

func startDevServer(cli, dir, name string, inMemory bool, dynamic []string) (*devServer, error) {
	var ports [3]int
	for i := range ports {
		p, err := proc.FreePort()
		if err != nil {
			return nil, err
		}
		ports[i] = p
	}
	args := []string{"server", "start-dev",
		"--ip", "127.0.0.1", "--port", strconv.Itoa(ports[0]),
		"--http-port", strconv.Itoa(ports[1]), "--metrics-port", strconv.Itoa(ports[2]),
		"--headless", "--log-level", "error",
		"--search-attribute", "CardflowKind=Keyword",
		"--search-attribute", "CardflowStatus=Keyword",
		"--search-attribute", "CardflowCustomerId=Keyword",
	}
	for _, kv := range mergeDynamic(config.DevServerDynamicConfig, dynamic) {
		args = append(args, "--dynamic-config-value", kv)
	}
	if !inMemory {
		// As `make run` keeps it: a SQLite file, not memory.
		args = append(args, "--db-filename", filepath.Join(dir, name+".db"))
	}
	p, err := startProc("temporal "+name, filepath.Join(dir, name+"-temporal.log"), cli, args)
	if err != nil {
		return nil, err
	}
	d := &devServer{Proc: p, addr: "127.0.0.1:" + strconv.Itoa(ports[0])}
	if err := d.waitHealthy(60 * time.Second); err != nil {
		p.Stop(5 * time.Second)
		return nil, err
	}
	return d, nil
}

func (d *devServer) waitHealthy(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	quiet := tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	for time.Now().Before(deadline) {
		if !d.Running() {
			return fmt.Errorf("%s exited at start: %s", d.Name, d.LogTail(1500))
		}
		c, err := client.Dial(client.Options{HostPort: d.addr, Logger: quiet})
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
			cancel()
			c.Close()
			if err == nil {
				return nil
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	return fmt.Errorf("%s not healthy within %s", d.Name, limit)
}

// mergeDynamic is base with the values of over replacing those of the same key.
func mergeDynamic(base, over []string) []string {
	key := func(kv string) string { k, _, _ := strings.Cut(kv, "="); return k }
	out := slices.DeleteFunc(slices.Clone(base), func(b string) bool {
		return slices.ContainsFunc(over, func(o string) bool { return key(o) == key(b) })
	})
	return append(out, over...)
}
