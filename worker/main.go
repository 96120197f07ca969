// Command worker runs cardflow's workflows and activities. Run any number at once:
// they share the task queue.
package main

import (
	"fmt"
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
	p, err := app.Start("worker", args, config.WebhookSecret, config.SandboxKey, config.ReturnSecret)
	if err != nil {
		return err
	}
	defer p.Close()
	cfg, log := p.Config, p.Log
	w := workers.New(p.Client, cfg.TaskQueue, workers.Activities(cfg, log), workers.WorkerOptions(cfg))
	log.Info("worker started", zap.String("task_queue", cfg.TaskQueue), zap.String("temporal", cfg.TemporalAddress),
		zap.String("processor", cfg.ProcessorURL), zap.Bool("webhooks", cfg.WebhookURL != ""))
	// worker.InterruptCh closes on SIGINT and SIGTERM; Run then stops the worker gracefully.
	if err := w.Run(worker.InterruptCh()); err != nil {
		return fmt.Errorf("worker on %s: %w", cfg.TaskQueue, err)
	}
	log.Info("worker stopped")
	return nil
}
