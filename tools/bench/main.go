// Command bench measures what cardflow costs on top of Temporal, in one run
// (`make bench`, or `go run ./bench` from the module root): the floor (a no-op
// workflow shaped like the order happy path, with and without the CardflowStatus
// upserts), the real order lifecycle through the shop API at two concurrencies,
// each on the dev server and on the cluster (tools/cluster: PostgreSQL, 4 shards)
// with one worker and with two, and 10,000 subscriptions idle on timers and then
// all due on one tick. Every phase gets its own Temporal, worker and API
// processes on loopback; the sandbox processor and a webhook receiver
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
	lowConc, lowOrders int // the second, low concurrency of the orders' latency
	quick              bool
	targets            []target // the tables' columns, in order
	window             time.Duration
	scale              string // extra concurrency×orders points, "5x500,40x500"
	scaleSubs          string // extra subscription counts, "2000"
	subsConc           int
	subsLead           time.Duration
	subsTimeout        time.Duration
	cli                string
	serverBin          string // the cluster's server binaries
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
	fs.IntVar(&o.lowConc, "low-concurrency", 2, "the orders' second concurrency, for place latency on an idle system")
	fs.IntVar(&o.lowOrders, "low-orders", 100, "order lifecycles at -low-concurrency")
	fs.IntVar(&o.subs, "subs", 10000, "subscriptions started, idle, then billed on one tick, on the first target only (0: skip)")
	fs.BoolVar(&o.quick, "quick", false, "a small run for checking: 60 orders (20 at low concurrency) per phase, 300 subscriptions")
	servers := fs.String("server", "dev,cluster", "the Temporals each measure runs on, in order: dev (the CLI's dev server), cluster (tools/cluster: PostgreSQL, 4 shards; -server-bin)")
	workers := fs.String("workers", "1,2", "worker process counts each measure runs with, in order")
	fs.DurationVar(&o.window, "window", time.Second, "the orders' return window: a lifecycle ends this long after shipping")
	fs.StringVar(&o.scale, "scale", "", "extra floor+orders points after the main ones, concurrency x orders, comma-separated, e.g. 5x500,20x1500")
	fs.StringVar(&o.scaleSubs, "scale-subs", "", "extra subscription counts after the main one, comma-separated, e.g. 2000")
	fs.IntVar(&o.subsConc, "subs-concurrency", 32, "concurrent starts of subscriptions")
	fs.DurationVar(&o.subsLead, "subs-lead", 0, "time from the first subscription start to the common tick (0: from a calibration of the start rate)")
	fs.DurationVar(&o.subsTimeout, "subs-timeout", 10*time.Minute, "give up billing after this long past the tick")
	fs.StringVar(&o.cli, "temporal-cli", envOr("CARDFLOW_TEMPORAL_CLI", ".cardflow/bin/temporal"), "the pinned Temporal CLI (make bench builds it)")
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
		def("orders", &o.orders, 60)
		def("low-orders", &o.lowOrders, 20)
		def("subs", &o.subs, 300)
	}
	var err error
	if o.targets, err = parseTargets(*servers, *workers); err != nil {
		return o, err
	}
	if o.conc < 1 || o.lowConc < 1 || o.orders < 0 || o.lowOrders < 0 || o.subs < 0 || o.subsConc < 1 {
		return o, fmt.Errorf("concurrency must be at least 1, orders and subs at least 0")
	}
	return o, nil
}

// parseTargets is every server with every worker count, servers outermost.
func parseTargets(servers, workers string) ([]target, error) {
	var out []target
	for _, sv := range strings.Split(servers, ",") {
		sv = strings.TrimSpace(sv)
		if sv != "dev" && sv != "cluster" {
			return nil, fmt.Errorf("-server: %q: want dev or cluster", sv)
		}
		for _, w := range strings.Split(workers, ",") {
			var n int
			if _, err := fmt.Sscan(strings.TrimSpace(w), &n); err != nil || n < 1 || n > 8 {
				return nil, fmt.Errorf("-workers: %q is not a count from 1 to 8", w)
			}
			out = append(out, target{server: sv, workers: n})
		}
	}
	return out, nil
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
	first := b.opts.targets[0]
	if b.opts.orders > 0 {
		for _, t := range b.opts.targets {
			b.prog.log("%s: floor (with and without status upserts) and orders at concurrency %d, %d lifecycles each; orders at concurrency %d, %d lifecycles; return window %s",
				t, b.opts.conc, b.opts.orders, b.opts.lowConc, b.opts.lowOrders, b.opts.window)
			c := column{t: t}
			if c.floor, err = b.runFloor(ctx, t, b.opts.conc, b.opts.orders, false); err != nil {
				return err
			}
			if c.floorUp, err = b.runFloor(ctx, t, b.opts.conc, b.opts.orders, true); err != nil {
				return err
			}
			if c.orders, err = b.runOrders(ctx, t, b.opts.conc, b.opts.orders); err != nil {
				return err
			}
			if b.opts.lowOrders > 0 {
				if c.ordersLow, err = b.runOrders(ctx, t, b.opts.lowConc, b.opts.lowOrders); err != nil {
					return err
				}
			}
			rep.cols = append(rep.cols, c)
		}
		rep.floor, rep.orders = rep.cols[0].floor, rep.cols[0].orders
	}
	if b.opts.subs > 0 {
		if rep.subs, err = b.runSubs(ctx, first, b.opts.subs, b.opts.subsLead); err != nil {
			return err
		}
	}
	points, err := parseScale(b.opts.scale)
	if err != nil {
		return err
	}
	for _, p := range points {
		var sp scalePoint
		if sp.floor, err = b.runFloor(ctx, first, p[0], p[1], false); err != nil {
			return err
		}
		if sp.orders, err = b.runOrders(ctx, first, p[0], p[1]); err != nil {
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
		r, err := b.runSubs(ctx, first, n, b.opts.subsLead)
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
