// Command cluster runs cardflow's Temporal cluster on loopback in the
// foreground (package cluster): PostgreSQL, the schemas, the Temporal server
// on deploy/temporal/cluster.yaml, the namespace and search attributes. Ctrl-C
// (or SIGTERM) stops it and removes its PostgreSQL data.
//
//	go run ./tools/cluster/cmd/cluster -bin .cardflow/bin [-port 7233] [-mtls] [-env-file F]
//
// Once the cluster is ready it writes the variables a client needs
// (TEMPORAL_ADDRESS, and with -mtls the client certificate's) to -env-file,
// which scripts/run.sh and scripts/test-cluster.sh wait for and read.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/cardflow/cardflow/tools/cluster"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "cluster:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("cluster", flag.ContinueOnError)
	o := cluster.Options{Log: os.Stderr}
	fs.StringVar(&o.Bin, "bin", ".cardflow/bin", "directory of temporal-server and temporal-sql-tool")
	fs.StringVar(&o.Dir, "dir", "", "certificates and logs (default: a new temporary directory)")
	fs.IntVar(&o.Port, "port", 0, "the frontend's gRPC port (0: a free one)")
	fs.BoolVar(&o.MTLS, "mtls", false, "the frontend requires client certificates (generated into -dir/certs)")
	envFile := fs.String("env-file", "", "write the client's TEMPORAL_* variables here once ready")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var err error
	if o.Bin, err = filepath.Abs(o.Bin); err != nil {
		return err
	}
	if o.Dir == "" {
		if o.Dir, err = os.MkdirTemp("", "cardflow-cluster-"); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c, err := cluster.Start(ctx, o)
	if err != nil {
		return err
	}
	defer c.Stop()
	if *envFile != "" {
		// Written whole, then renamed: a reader never sees half of it.
		tmp := *envFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(strings.Join(c.ClientEnv(), "\n")+"\n"), 0o600); err != nil {
			return err
		}
		if err := os.Rename(tmp, *envFile); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "cluster: ready at %s (logs in %s); Ctrl-C stops it\n", c.Address, filepath.Join(o.Dir, "logs"))
	select {
	case <-ctx.Done():
	case <-c.Server.Done():
		return fmt.Errorf("the Temporal server exited (%v); see %s", c.Server.Err(), c.Server.Log)
	}
	fmt.Fprintln(os.Stderr, "cluster: stopping")
	return nil
}
