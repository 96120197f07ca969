// Command bench measures what cardflow costs on top of Temporal, in one run
// (`make bench`, or `go run ./bench` from the module root): the floor (a no-op
// workflow shaped like the order happy path), the real order lifecycle through
// the shop API, and 10,000 subscriptions idle on timers and then all due on one
// tick. Every phase gets its own Temporal dev server (the pinned CLI), worker
// and API processes on loopback; the sandbox processor and a webhook receiver
// run in the bench. It prints one `bench:` line and writes tools/bench/RESULTS.md and
// tools/bench/chart.svg.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "role" {
		if err := runRole(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "bench role:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "\nbench:", err)
		os.Exit(1)
	}
}

// options are the bench's flags.
type options struct {
	conc, orders, subs int
	quick              bool
	floorUpserts       bool // the floor upserts CardflowStatus as the order does
	window             time.Duration
	scale              string // extra concurrency×orders points, "5x500,40x500"
	scaleSubs          string // extra subscription counts, "2000"
	subsConc           int
	subsLead           time.Duration
	subsTimeout        time.Duration
	cli                string
	server, serverBin  string // -server dev|cluster; the cluster's server binaries
	dbFile             bool
	dynamic            listFlag // the dev servers' --dynamic-config-value key=value
	profile            string   // directory for the workers' and APIs' CPU profiles
	results, chart     string
	label              string
	tune               tuning
}

func parseOptions(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.IntVar(&o.conc, "concurrency", 20, "concurrent shoppers, each placing, capturing and shipping one order after another")
	fs.IntVar(&o.orders, "orders", 500, "order lifecycles per run (floor and orders each; 0: skip both)")
	fs.IntVar(&o.subs, "subs", 10000, "subscriptions started, idle, then billed on one tick (0: skip)")
	fs.BoolVar(&o.floorUpserts, "floor-status-upserts", false, "the floor upserts the CardflowStatus search attribute on each status change, as the order does (a diagnostic: what the contract's search attribute costs)")
	fs.BoolVar(&o.quick, "quick", false, "a small run for checking: 5 shoppers, 60 orders, 300 subscriptions")
	fs.DurationVar(&o.window, "window", time.Second, "the orders' return window: a lifecycle ends this long after shipping")
	fs.StringVar(&o.scale, "scale", "", "extra floor+orders points after the main ones, concurrency x orders, comma-separated, e.g. 5x500,20x1500")
	fs.StringVar(&o.scaleSubs, "scale-subs", "", "extra subscription counts after the main one, comma-separated, e.g. 2000")
	fs.IntVar(&o.subsConc, "subs-concurrency", 32, "concurrent starts of subscriptions")
	fs.DurationVar(&o.subsLead, "subs-lead", 0, "time from the first subscription start to the common tick (0: from a calibration of the start rate)")
	fs.DurationVar(&o.subsTimeout, "subs-timeout", 10*time.Minute, "give up billing after this long past the tick")
	fs.StringVar(&o.cli, "temporal-cli", envOr("CARDFLOW_TEMPORAL_CLI", ".cardflow/bin/temporal"), "the pinned Temporal CLI (make bench builds it)")
	fs.StringVar(&o.server, "server", "dev", "each phase's Temporal: dev (the CLI's dev server) or cluster (tools/cluster: PostgreSQL, 4 shards; -server-bin)")
	fs.StringVar(&o.serverBin, "server-bin", ".cardflow/bin", "where temporal-server and temporal-sql-tool are, for -server cluster")
	fs.BoolVar(&o.dbFile, "db-file", false, "dev servers keep state in a SQLite file (as make run) instead of memory")
	fs.StringVar(&o.profile, "cpuprofile", "", "write each phase's worker and API CPU profiles to this directory (<phase>-<role>.pprof; go tool pprof)")
	fs.Var(&o.dynamic, "server-config", "a dev server dynamic config value key=value, repeatable; replaces internal/config.DevServerDynamicConfig's value of the same key")
	fs.StringVar(&o.results, "results", "tools/bench/RESULTS.md", "where to write the results (\"\": nowhere)")
	fs.StringVar(&o.chart, "chart", "tools/bench/chart.svg", "where to draw the chart (\"\": nowhere)")
	fs.StringVar(&o.label, "label", "", "a note on this run for RESULTS.md, e.g. what was changed")
	o.tune.flags(fs)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.quick {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		def := func(name string, p *int, v int) {
			if !set[name] {
				*p = v
			}
		}
		def("concurrency", &o.conc, 5)
		def("orders", &o.orders, 60)
		def("subs", &o.subs, 300)
	}
	if o.server != "dev" && o.server != "cluster" {
		return o, fmt.Errorf("-server %q: want dev or cluster", o.server)
	}
	if o.conc < 1 || o.orders < 0 || o.subs < 0 || o.subsConc < 1 {
		return o, fmt.Errorf("concurrency must be at least 1, orders and subs at least 0")
	}
	return o, nil
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// bench is one run's shared state.
type bench struct {
	opts options
	dir  string // temp dir: dev server databases, children's logs
	self string // this binary, re-run for the children's roles
	svc  *services
	prog *progress
	// phases counts the systems started: their ids never repeat.
	phases int
}

func run(args []string) error {
	opts, err := parseOptions(args)
	if err != nil {
		return err
	}
	if _, err := os.Stat(opts.cli); err != nil {
		return fmt.Errorf("no Temporal CLI at %s: run `make bench` (it builds the pinned CLI) from the module root", opts.cli)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	b := &bench{opts: opts, prog: newProgress(os.Stderr)}
	if b.self, err = os.Executable(); err != nil {
		return err
	}
	if b.dir, err = os.MkdirTemp("", "cardflow-bench-"); err != nil {
		return err
	}
	defer os.RemoveAll(b.dir)
	// The sandbox's SQLite syncs every commit; on tmpfs that costs nothing, so
	// the processor stays the zero-latency stand-in it is meant to be.
	sbDir := b.dir
	if d, err := os.MkdirTemp("/dev/shm", "cardflow-bench-"); err == nil {
		sbDir = d
		defer os.RemoveAll(d)
	}
	if b.svc, err = startServices(sbDir); err != nil {
		return err
	}
	defer b.svc.close()

	rep := report{opts: opts, machine: describeMachine(), started: time.Now(), args: strings.Join(args, " ")}
	if err := b.all(ctx, &rep); err != nil {
		return err
	}
	rep.finished = time.Now()
	rep.loadEnd = loadAvg()
	line := rep.line()
	b.prog.log("done in %s", rep.finished.Sub(rep.started).Round(time.Second))
	fmt.Println(line)
	return rep.write(opts.results, opts.chart)
}

// all runs every phase, main figures first, then the scaling points.
func (b *bench) all(ctx context.Context, rep *report) error {
	var err error
	if b.opts.orders > 0 {
		b.prog.log("floor and orders at concurrency %d, %d lifecycles each; return window %s", b.opts.conc, b.opts.orders, b.opts.window)
		if rep.floor, err = b.runFloor(ctx, b.opts.conc, b.opts.orders); err != nil {
			return err
		}
		if rep.orders, err = b.runOrders(ctx, b.opts.conc, b.opts.orders); err != nil {
			return err
		}
	}
	if b.opts.subs > 0 {
		if rep.subs, err = b.runSubs(ctx, b.opts.subs, b.opts.subsLead); err != nil {
			return err
		}
	}
	points, err := parseScale(b.opts.scale)
	if err != nil {
		return err
	}
	for _, p := range points {
		var sp scalePoint
		if sp.floor, err = b.runFloor(ctx, p[0], p[1]); err != nil {
			return err
		}
		if sp.orders, err = b.runOrders(ctx, p[0], p[1]); err != nil {
			return err
		}
		rep.scale = append(rep.scale, sp)
	}
	for _, f := range strings.Split(b.opts.scaleSubs, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		var n int
		if _, err := fmt.Sscan(f, &n); err != nil || n < 1 {
			return fmt.Errorf("-scale-subs: %q is not a count", f)
		}
		r, err := b.runSubs(ctx, n, b.opts.subsLead)
		if err != nil {
			return err
		}
		rep.scaleSubs = append(rep.scaleSubs, r)
	}
	return nil
}

// parseScale reads "5x500,40x500".
func parseScale(s string) ([][2]int, error) {
	var out [][2]int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		var c, n int
		if _, err := fmt.Sscanf(f, "%dx%d", &c, &n); err != nil || c < 1 || n < 1 {
			return nil, fmt.Errorf("-scale: %q is not concurrency x orders", f)
		}
		out = append(out, [2]int{c, n})
	}
	return out, nil
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }
