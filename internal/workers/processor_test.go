package workers

import (
	"testing"

	"github.com/cardflow/cardflow/adapters/processor/sandbox"
	"github.com/cardflow/cardflow/adapters/processor/stripe"
	"github.com/cardflow/cardflow/internal/config"
)

func TestNewProcessorFollowsConfig(t *testing.T) {
	cfg := config.Default()
	if _, ok := NewProcessor(cfg).(*sandbox.Client); !ok {
		t.Errorf("default: %T, want the sandbox", NewProcessor(cfg))
	}
	cfg.Processor, cfg.StripeSecretKey = config.ProcessorStripe, "sk_test_x"
	if _, ok := NewProcessor(cfg).(*stripe.Client); !ok {
		t.Errorf("CARDFLOW_PROCESSOR=stripe: %T, want the Stripe adapter", NewProcessor(cfg))
	}
}
