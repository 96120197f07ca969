// Command soak proves, under load and faults, what cardflow promises: every
// order and subscription ends where it should, no card is charged twice, and the
// processor's ledger equals what the workflows report.
//
//	go run ./soak -bin .cardflow/bin -temporal .cardflow/bin/temporal
//
// It starts its own Temporal dev server (SQLite file in a temp directory; with
// -server cluster the Temporal cluster of `make cluster` instead), the
// sandbox processor with faults, the API and two workers from the built
// binaries, all on loopback ports of their own; drives orders and second-long
// subscriptions through mixed lifecycles over the HTTP API while it SIGKILLs
// workers (starting new ones) and restarts the dev server once; waits for
// everything to settle; reconciles; and prints one line:
//
//	soak: orders=N subscriptions=M worker_kills=K server_restarts=1 faults=F double_charges=0 mismatches=0 stuck=0
//
// It exits 1 when any of the last three is not zero, 2 when it could not run.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	os.Exit(soakMain(os.Args[1:], os.Stdout, os.Stderr))
}

func soakMain(args []string, stdout, stderr io.Writer) int {
	opts, err := parseFlags(args, stderr)
	if err != nil {
		return 2
	}
	// Bounded however the drive goes: the soak always stops by itself.
	limit := opts.Duration + opts.Settle + 15*time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	res, err := run(ctx, opts)
	fmt.Fprintln(stdout, res.Line())
	fmt.Fprintf(stderr, "soak took %s\n", res.Took.Truncate(time.Second))
	if err != nil {
		fmt.Fprintln(stderr, "soak:", err)
		return 2
	}
	if !res.OK() {
		return 1
	}
	return 0
}

// defaultOptions is the full-size soak of `make soak`.
func defaultOptions() Options {
	return Options{
		Server:           ServerDev,
		Orders:           500,
		Subscriptions:    100,
		Duration:         3 * time.Minute,
		Concurrency:      24,
		Kills:            4,
		Settle:           4 * time.Minute,
		Faults:           "latency=10ms,error=0.1,timeout=0.1",
		ProcessorTimeout: 2 * time.Second,
		TimeoutDelay:     3 * time.Second,
	}
}

func parseFlags(args []string, stderr io.Writer) (Options, error) {
	o := defaultOptions()
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.Orders, "orders", o.Orders, "orders to drive")
	fs.IntVar(&o.Subscriptions, "subscriptions", o.Subscriptions, "subscriptions to drive")
	fs.DurationVar(&o.Duration, "duration", o.Duration, "time over which lifecycles start and the chaos happens")
	fs.IntVar(&o.Concurrency, "concurrency", o.Concurrency, "lifecycles driven at once")
	fs.IntVar(&o.Kills, "kills", o.Kills, "worker SIGKILLs during the drive")
	fs.DurationVar(&o.Settle, "settle", o.Settle, "how long everything may take to settle after the drive")
	fs.StringVar(&o.BinDir, "bin", ".cardflow/bin", "directory of the built worker, api and sandbox binaries")
	fs.StringVar(&o.TemporalCLI, "temporal", "", "the Temporal CLI (default $CARDFLOW_TEMPORAL_CLI, else <bin>/temporal)")
	fs.StringVar(&o.Server, "server", ServerDev, "the Temporal to run: dev (the CLI's dev server) or cluster (PostgreSQL, mTLS: make test-cluster)")
	fs.StringVar(&o.Faults, "faults", o.Faults, "sandbox fault injection")
	fs.DurationVar(&o.ProcessorTimeout, "processor-timeout", o.ProcessorTimeout, "the workers' timeout of one processor call")
	fs.DurationVar(&o.TimeoutDelay, "timeout-delay", o.TimeoutDelay, "how late the sandbox answers an injected timeout (longer than -processor-timeout)")
	fs.BoolVar(&o.Keep, "keep", false, "keep the state directory and logs")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.TemporalCLI == "" {
		o.TemporalCLI = os.Getenv("CARDFLOW_TEMPORAL_CLI")
	}
	if o.TemporalCLI == "" {
		o.TemporalCLI = filepath.Join(o.BinDir, "temporal")
	}
	var err error
	if o.BinDir, err = filepath.Abs(o.BinDir); err != nil {
		return o, err
	}
	if o.TemporalCLI, err = filepath.Abs(o.TemporalCLI); err != nil {
		return o, err
	}
	switch {
	case o.Orders < 0 || o.Subscriptions < 0 || o.Orders+o.Subscriptions == 0:
		err = fmt.Errorf("-orders and -subscriptions must not be negative, and not both 0")
	case o.Concurrency < 1 || o.Kills < 0 || o.Duration <= 0 || o.Settle <= 0:
		err = fmt.Errorf("-concurrency must be at least 1, -kills not negative, -duration and -settle positive")
	case o.TimeoutDelay <= o.ProcessorTimeout:
		err = fmt.Errorf("-timeout-delay %s must be longer than -processor-timeout %s, or an injected timeout is no timeout", o.TimeoutDelay, o.ProcessorTimeout)
	}
	need := []string{filepath.Join(o.BinDir, "worker"), filepath.Join(o.BinDir, "api"), filepath.Join(o.BinDir, "sandbox")}
	switch o.Server {
	case ServerDev:
		need = append(need, o.TemporalCLI)
	case ServerCluster:
		need = append(need, filepath.Join(o.BinDir, "temporal-server"), filepath.Join(o.BinDir, "temporal-sql-tool"))
	default:
		if err == nil {
			err = fmt.Errorf("-server %q: want dev or cluster", o.Server)
		}
	}
	for _, p := range need {
		if _, serr := os.Stat(p); serr != nil && err == nil {
			err = fmt.Errorf("%s is missing: `make build` builds it", p)
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "soak:", err)
		return o, err
	}
	o.Log = stderr
	return o, nil
}
