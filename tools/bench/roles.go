package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/cardflow/cardflow/api/server"
	"github.com/cardflow/cardflow/internal/app"
	"github.com/cardflow/cardflow/internal/config"
	"github.com/cardflow/cardflow/internal/logging"
	"github.com/cardflow/cardflow/internal/workers"
	"github.com/cardflow/cardflow/order"
)

// The bench runs its worker and API as children (`bench role worker|api ...`, the
// bench binary itself) rather than in its own process, so each one's CPU time and
// peak RSS can be read from /proc. The children are built from the same
// internal/app wiring as ./worker and ./api; what differs is that the bench sets
// the worker options and the API's order settings (a short return window), which
// the production mains take from nowhere.

// tuning is the bench workers' worker.Options (zero: the SDK's defaults).
type tuning struct {
	wfPollers, actPollers int
	wfSlots, actSlots     int
	laSlots               int
	cache                 int
}

func (t *tuning) flags(fs *flag.FlagSet) {
	fs.IntVar(&t.wfPollers, "wf-pollers", 0, "worker: workflow task pollers (0: SDK default)")
	fs.IntVar(&t.actPollers, "act-pollers", 0, "worker: activity task pollers (0: SDK default)")
	fs.IntVar(&t.wfSlots, "wf-slots", 0, "worker: concurrent workflow tasks (0: SDK default)")
	fs.IntVar(&t.actSlots, "act-slots", 0, "worker: concurrent activities (0: SDK default)")
	fs.IntVar(&t.laSlots, "la-slots", 0, "worker: concurrent local activities (0: SDK default)")
	fs.IntVar(&t.cache, "cache", 0, "worker: sticky workflow cache size (0: the worker's default, CARDFLOW_WORKFLOW_CACHE)")
}

func (t tuning) args() []string {
	return []string{
		fmt.Sprint("-wf-pollers=", t.wfPollers), fmt.Sprint("-act-pollers=", t.actPollers),
		fmt.Sprint("-wf-slots=", t.wfSlots), fmt.Sprint("-act-slots=", t.actSlots),
		fmt.Sprint("-la-slots=", t.laSlots), fmt.Sprint("-cache=", t.cache),
	}
}

func (t tuning) String() string {
	d := func(v int) string {
		if v == 0 {
			return "default"
		}
		return fmt.Sprint(v)
	}
	cache := t.cache
	if cache == 0 {
		cache = config.Default().WorkflowCache
	}
	return fmt.Sprintf("wf-pollers=%s act-pollers=%s wf-slots=%s act-slots=%s la-slots=%s cache=%d",
		d(t.wfPollers), d(t.actPollers), d(t.wfSlots), d(t.actSlots), d(t.laSlots), cache)
}

// options are the production worker's (workers.WorkerOptions), with what the
// bench's flags set on top. The floor's worker gets the same.
func (t tuning) options(cfg config.Config) worker.Options {
	if t.cache > 0 {
		cfg.WorkflowCache = t.cache
	}
	o := workers.WorkerOptions(cfg)
	o.MaxConcurrentWorkflowTaskPollers = t.wfPollers
	o.MaxConcurrentActivityTaskPollers = t.actPollers
	o.MaxConcurrentWorkflowTaskExecutionSize = t.wfSlots
	o.MaxConcurrentActivityExecutionSize = t.actSlots
	o.MaxConcurrentLocalActivityExecutionSize = t.laSlots
	o.WorkerStopTimeout = 5 * time.Second
	return o
}

// roleFlags are what every child needs to find the rest of the system.
type roleFlags struct {
	kind, temporal, queue, processor, webhook, addr, dir string
	returnWindow                                         time.Duration
	profile                                              string
	tune                                                 tuning
}

// runRole is the child's main.
func runRole(args []string) error {
	if len(args) == 0 {
		return errors.New("role: worker or api")
	}
	role := args[0]
	fs := flag.NewFlagSet("bench role "+role, flag.ContinueOnError)
	var f roleFlags
	fs.StringVar(&f.kind, "kind", "cardflow", "worker: cardflow or floor")
	fs.StringVar(&f.temporal, "temporal", "", "Temporal frontend")
	fs.StringVar(&f.queue, "queue", "", "task queue")
	fs.StringVar(&f.processor, "processor", "", "processor (sandbox) URL")
	fs.StringVar(&f.webhook, "webhook", "", "webhook receiver URL")
	fs.StringVar(&f.addr, "addr", "", "api: listen address")
	fs.StringVar(&f.dir, "dir", "", "state dir")
	fs.DurationVar(&f.returnWindow, "return-window", time.Second, "api: the orders' return window")
	fs.StringVar(&f.profile, "cpuprofile", "", "write a CPU profile to <this>-<role>.pprof")
	f.tune.flags(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg := config.Default()
	cfg.TemporalAddress, cfg.TaskQueue, cfg.ProcessorURL = f.temporal, f.queue, f.processor
	cfg.WebhookURL, cfg.WebhookSecret, cfg.APIAddr, cfg.Dir = f.webhook, "whsec_bench", f.addr, f.dir
	cfg.APIKeys = []string{apiKey}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if f.profile != "" {
		out, err := os.Create(f.profile + "-" + role + ".pprof")
		if err != nil {
			return err
		}
		defer out.Close()
		if err := pprof.StartCPUProfile(out); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	switch {
	case role == "worker" && f.kind == "floor":
		return runFloorWorker(ctx, cfg, f.tune)
	case role == "worker":
		return runWorker(ctx, cfg, f.tune)
	case role == "api":
		return runAPI(ctx, cfg, f.returnWindow)
	}
	return fmt.Errorf("unknown role %q", role)
}

// runWorker is ./worker with the bench's worker options. It logs at warn: the
// notifications go to the bench's webhook receiver, not into a log line each.
func runWorker(ctx context.Context, cfg config.Config, t tuning) error {
	log, err := logging.New("warn")
	if err != nil {
		return err
	}
	keys, err := app.Keys(cfg)
	if err != nil {
		return err
	}
	c, err := app.Dial(cfg, log, keys)
	if err != nil {
		return err
	}
	defer c.Close()
	w := workers.New(c, cfg.TaskQueue, workers.Activities(cfg, log, keys), t.options(cfg))
	return runUntil(ctx, w)
}

// runFloorWorker runs the floor workflow: Temporal's own cost, with the SDK's
// default data converter and no-op activities.
func runFloorWorker(ctx context.Context, cfg config.Config, t tuning) error {
	// Transport as cardflow's (app.Dial: no gRPC gzip), so the ratio compares
	// the work of the workflows, not client settings.
	c, err := client.Dial(client.Options{HostPort: cfg.TemporalAddress, Logger: quietLogger(),
		ConnectionOptions: client.ConnectionOptions{GrpcCompression: &client.GrpcCompressionNone{}}})
	if err != nil {
		return err
	}
	defer c.Close()
	w := worker.New(c, cfg.TaskQueue, t.options(cfg))
	registerFloor(w)
	return runUntil(ctx, w)
}

func runUntil(ctx context.Context, w worker.Worker) error {
	if err := w.Start(); err != nil {
		return err
	}
	<-ctx.Done()
	w.Stop()
	return nil
}

// runAPI is ./api with the orders' return window set, so a lifecycle ends
// within the bench.
func runAPI(ctx context.Context, cfg config.Config, window time.Duration) error {
	log, err := logging.New("warn")
	if err != nil {
		return err
	}
	keys, err := app.Keys(cfg)
	if err != nil {
		return err
	}
	c, err := app.Dial(cfg, log, keys)
	if err != nil {
		return err
	}
	defer c.Close()
	// The API's own server, timeouts included, so the bench measures what
	// runs in production.
	srv, err := app.APIServer(cfg, server.New(c, cfg, log, keys, func(sc *server.Config) {
		sc.Orders = order.Settings{ReturnWindow: window}
	}), app.APITimeouts(cfg.ProcessorTimeout+server.DefaultUpdateTimeout))
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

func quietLogger() tlog.Logger {
	return tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
}
