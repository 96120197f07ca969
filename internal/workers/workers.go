package workers

import (
	"time"

	"github.com/cardflow/cardflow/activities"
	"github.com/cardflow/cardflow/adapters/fraud"
	"github.com/cardflow/cardflow/adapters/notify"
	"github.com/cardflow/cardflow/adapters/processor/sandbox"
	"github.com/cardflow/cardflow/adapters/processor/stripe"
	"github.com/cardflow/cardflow/adapters/validation"
	"github.com/cardflow/cardflow/codec"
	"github.com/cardflow/cardflow/internal/config"
	"github.com/cardflow/cardflow/internal/paylink"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/subscription"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"
)

// Processor is the processor adapter behind the activities, the validity
// check's token look-up, the fraud screen's risk signal and 3-D Secure.
type Processor interface {
	activities.Processor
	activities.Authenticator
	validation.Vault
	fraud.RiskSource
}

// NewProcessor is the processor adapter CARDFLOW_PROCESSOR selects.
func NewProcessor(cfg config.Config) Processor {
	if cfg.Processor == config.ProcessorStripe {
		return stripe.New(stripe.Config{Key: cfg.StripeSecretKey, BaseURL: cfg.StripeAPIBase, Timeout: cfg.ProcessorTimeout})
	}
	return sandbox.NewClient(cfg.ProcessorURL, cfg.SandboxSecretKey, cfg.ProcessorTimeout)
}

// Activities builds the adapters from configuration. keys is the codec
// keyring, from which the payment page's link keys derive as in the API
// (paylink.Label); nil: the webhooks carry no payment-page link.
func Activities(cfg config.Config, log *zap.Logger, keys *codec.Keyring) *activities.Activities {
	proc := NewProcessor(cfg)
	var n activities.Notifier = notify.NewLog(log)
	if cfg.WebhookURL != "" {
		n = notify.NewWebhook(cfg.WebhookURL, notify.Secrets(cfg.WebhookSecret), 10*time.Second, log)
	}
	if keys != nil {
		// The same signer as the API's (api/server.New): CARDFLOW_PUBLIC_URL
		// and the codec key's derived keys, so the API opens the links.
		n = &PageLinks{Next: n, Links: paylink.New(cfg.PagePublicURL(), keys.Derive(paylink.Label)), Log: log}
	}
	return &activities.Activities{
		Processor:     proc,
		Authenticator: proc,
		Validator:     validation.New(proc, validation.DefaultRulesFor(cfg.AcceptedBrands)),
		Fraud:         fraud.New(proc, fraud.DefaultConfig()),
		Notifier:      n,
		ReturnURL:     func(key string) string { return payment.ReturnURL(cfg.PagePublicURL(), []byte(cfg.ReturnSecret), key) },
	}
}

// WorkerOptions are the production worker's options; ./worker and the bench's
// workers start from them. The workflow cache size is process-wide: it is set
// here, so call this once, before the first worker starts.
func WorkerOptions(cfg config.Config) worker.Options {
	worker.SetStickyWorkflowCacheSize(cfg.WorkflowCache)
	return worker.Options{
		// The SDK's defaults otherwise (tools/bench/RESULTS.md, worker tuning): a
		// longer sticky schedule-to-start timeout (20 s) was measured and did not
		// avoid the time-outs of a 10,000-subscription tick, whose backlog is
		// minutes; on two cores the server, not the pollers, is the limit.
		// On SIGINT/SIGTERM, give in-flight activities time to finish before exiting.
		WorkerStopTimeout: 20 * time.Second,
	}
}

// New registers cardflow's workflows and activities on a worker for the queue.
func New(c client.Client, taskQueue string, acts *activities.Activities, opts worker.Options) worker.Worker {
	w := worker.New(c, taskQueue, opts)
	order.Register(w)
	subscription.Register(w)
	w.RegisterActivity(acts)
	return w
}
