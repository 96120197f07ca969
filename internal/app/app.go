// Package app wires cardflow's processes from configuration: the Temporal
// client and, for workers, the adapters behind the activities and the worker
// itself. The worker and api mains, the starter and the system tests all
// start through here, so what runs in tests is what runs in production. The
// shop API's handler is built in api/server (server.New): nothing here links
// the API, so the worker binary does not.
package app

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"

	"github.com/cardflow/cardflow/activities"
	"github.com/cardflow/cardflow/adapters/fraud"
	"github.com/cardflow/cardflow/adapters/notify"
	"github.com/cardflow/cardflow/adapters/processor/sandbox"
	"github.com/cardflow/cardflow/adapters/validation"
	"github.com/cardflow/cardflow/codec"
	"github.com/cardflow/cardflow/internal/config"
	"github.com/cardflow/cardflow/internal/logging"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/subscription"
)

// Keys loads the payload-encryption keyring: CARDFLOW_CODEC_KEY, else the dev key
// kept under the state directory (created once).
func Keys(cfg config.Config) (*codec.Keyring, error) {
	k, err := codec.FromEnv(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("codec key: %w", err)
	}
	return k, nil
}

// Dial connects to Temporal with cardflow's logger and payload encryption: every
// payload and failure message this client (and a worker on it) writes is encrypted.
func Dial(cfg config.Config, log *zap.Logger, keys *codec.Keyring) (client.Client, error) {
	dc, fc := codec.Converters(keys)
	var gz client.GrpcCompression = &client.GrpcCompressionNone{}
	if cfg.TemporalGzip {
		gz = &client.GrpcCompressionGzip{}
	}
	c, err := client.Dial(client.Options{
		HostPort:          cfg.TemporalAddress,
		Namespace:         cfg.TemporalNamespace,
		Logger:            logging.Temporal(log),
		DataConverter:     dc,
		FailureConverter:  fc,
		ConnectionOptions: client.ConnectionOptions{GrpcCompression: gz},
	})
	if err != nil {
		return nil, fmt.Errorf("dial temporal at %s: %w", cfg.TemporalAddress, err)
	}
	return c, nil
}

// Activities builds the adapters from configuration.
func Activities(cfg config.Config, log *zap.Logger) *activities.Activities {
	proc := sandbox.NewClient(cfg.ProcessorURL, cfg.ProcessorTimeout)
	var n activities.Notifier = notify.NewLog(log)
	if cfg.WebhookURL != "" {
		n = notify.NewWebhook(cfg.WebhookURL, cfg.WebhookSecret, 10*time.Second, log)
	}
	return &activities.Activities{
		Processor: proc,
		Validator: validation.New(proc, validation.DefaultRules()),
		Fraud:     fraud.New(proc, fraud.DefaultConfig()),
		Notifier:  n,
	}
}

// NewWorker registers cardflow's workflows and activities on a worker for the queue.
// WorkerOptions are the production worker's options; ./worker and the bench's
// workers start from them. The workflow cache size is process-wide: it is set
// here, so call this once, before the first worker starts.
func WorkerOptions(cfg config.Config) worker.Options {
	worker.SetStickyWorkflowCacheSize(cfg.WorkflowCache)
	return worker.Options{
		// The SDK's defaults otherwise (bench/RESULTS.md, worker tuning): a
		// longer sticky schedule-to-start timeout (20 s) was measured and did not
		// avoid the time-outs of a 10,000-subscription tick, whose backlog is
		// minutes; on two cores the server, not the pollers, is the limit.
		// On SIGINT/SIGTERM, give in-flight activities time to finish before exiting.
		WorkerStopTimeout: 20 * time.Second,
	}
}

func NewWorker(c client.Client, taskQueue string, acts *activities.Activities, opts worker.Options) worker.Worker {
	w := worker.New(c, taskQueue, opts)
	order.Register(w)
	subscription.Register(w)
	w.RegisterActivity(acts)
	return w
}
