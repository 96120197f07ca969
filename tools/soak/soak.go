package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/cardflow/cardflow/internal/reconcile"
)

// Options size and shape one soak.
type Options struct {
	Orders        int
	Subscriptions int
	// Duration is the time over which the orders and subscriptions are started
	// and the chaos (worker kills, the server restart) happens.
	Duration    time.Duration
	Concurrency int           // lifecycles driven at once
	Kills       int           // worker SIGKILLs
	Settle      time.Duration // how long everything may take to settle after the drive
	BinDir      string        // the built worker, api and sandbox binaries
	TemporalCLI string        // the pinned Temporal CLI
	// Server is which Temporal the soak runs: ServerDev (the CLI's dev server,
	// SQLite) or ServerCluster (tools/cluster: PostgreSQL, 4 shards, mTLS; the
	// server and temporal-sql-tool from BinDir).
	Server string
	// Sandbox fault injection. TimeoutDelay must be longer than
	// ProcessorTimeout, so that an injected timeout is one for the client.
	Faults           string
	ProcessorTimeout time.Duration
	TimeoutDelay     time.Duration
	Keep             bool      // keep the state directory (it is kept anyway when the soak fails)
	Log              io.Writer // progress; the result line is the caller's to print
}

// The servers of Options.Server.
const (
	ServerDev     = "dev"
	ServerCluster = "cluster"
)

// Result is what the soak found.
type Result struct {
	Orders, Subscriptions int
	WorkerKills           int
	ServerRestarts        int
	Faults                int
	DoubleCharges         int
	Mismatches            int
	Stuck                 int
	Took                  time.Duration
	Dir                   string // the state directory, if kept
}

// Line is the soak's one line of output.
func (r Result) Line() string {
	return fmt.Sprintf("soak: orders=%d subscriptions=%d worker_kills=%d server_restarts=%d faults=%d double_charges=%d mismatches=%d stuck=%d",
		r.Orders, r.Subscriptions, r.WorkerKills, r.ServerRestarts, r.Faults, r.DoubleCharges, r.Mismatches, r.Stuck)
}

// OK reports whether the money moved exactly as the workflows say and
// everything ended where it should.
func (r Result) OK() bool { return r.DoubleCharges == 0 && r.Mismatches == 0 && r.Stuck == 0 }

// flow is one order or subscription lifecycle and its outcome.
type scenario struct {
	kind  string // "order" or "subscription"
	id    string
	plan  string
	drive func(ctx context.Context) error
	check func(ctx context.Context) (ok bool, got string, err error)
	want  string
	err   error // from the drive
}

// run is the whole soak: cluster up, drive under chaos, settle, reconcile.
// An error means the soak itself could not run; a Result that is not OK means
// it ran and found something wrong.
func run(ctx context.Context, opts Options) (res Result, err error) {
	began := time.Now()
	var logMu sync.Mutex // the chaos and the drive log at once
	logf := func(format string, args ...any) {
		logMu.Lock()
		defer logMu.Unlock()
		fmt.Fprintf(opts.Log, "soak %s: %s\n", time.Since(began).Truncate(time.Second), fmt.Sprintf(format, args...))
	}
	dir, err := os.MkdirTemp("", "cardflow-soak-")
	if err != nil {
		return res, fmt.Errorf("create the state directory: %w", err)
	}
	c, err := startCluster(ctx, opts, dir)
	defer func() {
		if c != nil {
			c.stop()
		}
		res.Took = time.Since(began)
		if opts.Keep || err != nil || !res.OK() {
			res.Dir = dir
			logf("state and logs kept in %s", dir)
		} else {
			_ = os.RemoveAll(dir)
		}
	}()
	if err != nil {
		return res, err
	}
	logf("cluster up in %s: temporal %s, api %s, sandbox %s (faults %s)", dir, c.temporalAddr, c.apiURL, c.sandboxURL, opts.Faults)

	s := &shop{base: c.apiURL, sandbox: c.sandboxURL, http: &http.Client{Timeout: 45 * time.Second}, patience: 3 * time.Minute}
	flows := makeFlows(s, opts)

	var tally chaosTally
	chaosDone := make(chan struct{})
	driveStart := time.Now()
	go func() {
		defer close(chaosDone)
		tally = chaos(ctx, c, opts, driveStart, logf)
	}()
	drive(ctx, flows, opts, driveStart, logf)
	<-chaosDone
	res.WorkerKills, res.ServerRestarts = tally.workerKills, tally.serverRestarts
	if tally.err != nil {
		return res, tally.err
	}
	logf("drive done in %s (%d requests retried); settling", time.Since(driveStart).Truncate(time.Second), s.retries.Load())

	for _, f := range flows {
		switch f.kind {
		case reconcile.KindOrder:
			res.Orders++
		case reconcile.KindSubscription:
			res.Subscriptions++
		}
	}
	res.Stuck = settle(ctx, c.client, flows, opts.Settle, logf)

	if err := c.alive(); err != nil {
		return res, err
	}
	rep, err := reconcile.Run(ctx, reconcile.Temporal{Client: c.client}, reconcile.HTTPLedger{BaseURL: c.sandboxURL, Key: sandboxKey},
		reconcile.Options{Recheck: 5 * time.Second})
	if err != nil {
		return res, fmt.Errorf("reconcile: %w", err)
	}
	var report strings.Builder
	_ = rep.Write(&report)
	logf("%s", strings.TrimSpace(report.String()))
	res.DoubleCharges = rep.Count(reconcile.KindDoubleCharge)
	res.Mismatches = rep.Count(reconcile.KindMismatch)
	if rep.Orders < res.Orders || rep.Subscriptions < res.Subscriptions {
		// Every workflow the soak drove must have been compared.
		logf("reconcile saw %d orders and %d subscriptions of %d and %d driven", rep.Orders, rep.Subscriptions, res.Orders, res.Subscriptions)
		res.Mismatches += res.Orders - min(rep.Orders, res.Orders) + res.Subscriptions - min(rep.Subscriptions, res.Subscriptions)
	}
	if !starterAgrees(ctx, c, logf) {
		res.Mismatches++
	}
	if res.Faults, err = countFaults(c.sandbox.Log); err != nil {
		return res, err
	}
	return res, nil
}

// makeFlows deals the plans to the orders and subscriptions, interleaved so
// that both kinds run under every chaos event.
func makeFlows(s *shop, opts Options) []*scenario {
	run := time.Now().Format("150405")
	var orders, subs []*scenario
	for i := range opts.Orders {
		plan := pickOrderPlan(i)
		r := &orderRun{shop: s, id: fmt.Sprintf("soak-%s-o%04d", run, i), ua: 1000 + int64(i%50)*10, ub: 500 + int64(i%7)*100}
		want := plan.want(r)
		orders = append(orders, &scenario{kind: reconcile.KindOrder, id: r.id, plan: plan.name, want: want.String(),
			drive: func(ctx context.Context) error { return plan.drive(ctx, r) },
			check: func(ctx context.Context) (bool, string, error) {
				v, err := r.get(ctx)
				return err == nil && want.matches(v), v.String(), err
			}})
	}
	for i := range opts.Subscriptions {
		plan := pickSubPlan(i)
		r := &subRun{shop: s, id: fmt.Sprintf("soak-%s-s%04d", run, i)}
		subs = append(subs, &scenario{kind: reconcile.KindSubscription, id: r.id, plan: plan.name, want: plan.want.String(),
			drive: func(ctx context.Context) error { return plan.drive(ctx, r) },
			check: func(ctx context.Context) (bool, string, error) {
				v, err := r.get(ctx)
				return err == nil && plan.want.matches(v), v.String(), err
			}})
	}
	var out []*scenario
	for len(orders)+len(subs) > 0 {
		// About as many subscriptions per order everywhere in the sequence.
		if len(subs) > 0 && (len(orders) == 0 || len(subs)*opts.Orders >= len(orders)*opts.Subscriptions) {
			out, subs = append(out, subs[0]), subs[1:]
		} else {
			out, orders = append(out, orders[0]), orders[1:]
		}
	}
	return out
}

// drive runs the lifecycles, starting them evenly over opts.Duration, at most
// opts.Concurrency at once.
func drive(ctx context.Context, flows []*scenario, opts Options, start time.Time, logf func(string, ...any)) {
	sem := make(chan struct{}, opts.Concurrency)
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := 0
	for i, f := range flows {
		at := start.Add(opts.Duration * time.Duration(i) / time.Duration(len(flows)))
		select {
		case <-ctx.Done():
			f.err = ctx.Err()
			continue
		case <-time.After(time.Until(at)):
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if f.err = f.drive(ctx); f.err != nil {
				mu.Lock()
				failed++
				if failed <= 20 {
					logf("drive %s (%s): %v", f.id, f.plan, f.err)
				}
				mu.Unlock()
			}
		})
		if (i+1)%100 == 0 {
			logf("%d of %d lifecycles started", i+1, len(flows))
		}
	}
	wg.Wait()
	if failed > 0 {
		logf("%d lifecycles could not be driven as planned", failed)
	}
}

// countFaults counts the faults the sandbox logged as injected.
func countFaults(logPath string) (int, error) {
	f, err := os.Open(logPath)
	if err != nil {
		return 0, fmt.Errorf("count faults: %w", err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "fault injected") {
			n++
		}
	}
	if err := sc.Err(); err != nil {
		return n, fmt.Errorf("count faults in %s: %w", logPath, err)
	}
	return n, nil
}
