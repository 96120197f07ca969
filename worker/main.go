// Command worker runs cardflow's workflows and activities. Run any number at once:
// they share the task queue.
package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"

	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"

	"github.com/cardflow/cardflow/internal/app"
	"github.com/cardflow/cardflow/internal/config"
	"github.com/cardflow/cardflow/internal/workers"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	p, err := app.Start("worker", args, config.WebhookSecret, config.SandboxKey, config.ReturnSecret, config.PublicURL, config.WorkerMetrics)
	if err != nil {
		return err
	}
	defer p.Close()
	cfg, log := p.Config, p.Log
	acts, opts := workers.Observe(workers.Activities(cfg, log, p.Keys), workers.WorkerOptions(cfg), p.Telemetry)
	w := workers.New(p.Client, cfg.TaskQueue, acts, opts)
	if err := workers.ObserveAttentions(p.Telemetry, p.Client, cfg.TemporalNamespace, cfg.TaskQueue, workers.AttentionsTTL); err != nil {
		return fmt.Errorf("open attentions gauge: %w", err)
	}
	if cfg.MetricsAddr != "" {
		defer serveMetrics(cfg.MetricsAddr, p)()
	}
	log.Info("worker started", zap.String("task_queue", cfg.TaskQueue), zap.String("temporal", cfg.TemporalAddress),
		zap.String("processor", cfg.ProcessorURL), zap.Bool("webhooks", cfg.WebhookURL != ""), zap.String("metrics", cfg.MetricsAddr))
	// worker.InterruptCh closes on SIGINT and SIGTERM; Run then stops the worker gracefully.
	if err := w.Run(worker.InterruptCh()); err != nil {
		return fmt.Errorf("worker on %s: %w", cfg.TaskQueue, err)
	}
	log.Info("worker stopped")
	return nil
}

// serveMetrics serves /metrics on addr until stop. A port already taken (a
// second worker on one machine, which needs its own CARDFLOW_METRICS_ADDR)
// is logged as an error and the worker runs on unscraped: any number of
// workers may run at once, and losing a worker's metrics costs less than
// losing the worker.
func serveMetrics(addr string, p *app.Process) (stop func()) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.Log.Error("metrics not served: set CARDFLOW_METRICS_ADDR to a free address", zap.String("addr", addr), zap.Error(err))
		return func() {}
	}
	srv := app.MetricsServer(addr, p.Telemetry, p.Config.MetricsAuth)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			p.Log.Error("metrics server", zap.Error(err))
		}
	}()
	return func() { _ = srv.Close() }
}
